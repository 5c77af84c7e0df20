import type { Tensor, TypedArray } from '@saddle/tensor';

/** A 2-D strided view of a typed array: element (r, c) is data[offset + r * rowStride + c * colStride]. */
export interface View2d {
  data: TypedArray;
  offset: number;
  rowStride: number;
  colStride: number;
}

/**
 * CPU twin of the maxout forward kernel: for each row b and unit u, the max of the `pieces`
 * columns u*pieces .. u*pieces+pieces-1 and the index of the first one that attains it (the first
 * NaN, if any, wins). Writes `out` and `argmax` densely as [rows, units].
 */
export function maxoutCpu(x: View2d, rows: number, units: number, pieces: number, out: TypedArray, argmax: TypedArray): void {
  for (let b = 0; b < rows; b++) {
    for (let u = 0; u < units; u++) {
      const base = x.offset + b * x.rowStride + u * pieces * x.colStride;
      let best = x.data[base]!;
      let bestK = 0;
      for (let k = 1; k < pieces; k++) {
        const v = x.data[base + k * x.colStride]!;
        if (!Number.isNaN(best) && (Number.isNaN(v) || v > best)) {
          best = v;
          bestK = k;
        }
      }
      out[b * units + u] = best;
      argmax[b * units + u] = bestK;
    }
  }
}

/**
 * CPU twin of the maxout backward kernel: dy (times `mask`, when given: the fused dropout's mask)
 * scattered to the argmax piece, zeros elsewhere; with `x`, shared evenly by the pieces tied with the
 * winner x[b, u * pieces + argmax] (g / c each; a NaN winner keeps it alone). The product dy * mask
 * and the share are rounded to dx's dtype as the GPU's f32 arithmetic rounds them.
 */
export function maxoutBackwardCpu(dy: View2d, argmax: View2d, rows: number, units: number, pieces: number, dx: TypedArray, mask?: View2d, x?: View2d): void {
  const cols = units * pieces;
  const round = dx instanceof Float32Array ? Math.fround : (v: number) => v;
  for (let b = 0; b < rows; b++) {
    for (let c = 0; c < cols; c++) {
      const u = Math.floor(c / pieces);
      const k = c % pieces;
      const a = argmax.data[argmax.offset + b * argmax.rowStride + u * argmax.colStride]!;
      let g = dy.data[dy.offset + b * dy.rowStride + u * dy.colStride]!;
      if (mask) g = round(g * mask.data[mask.offset + b * mask.rowStride + u * mask.colStride]!);
      if (a < 0 || a >= pieces) {
        dx[b * cols + c] = 0;
        continue;
      }
      if (!x) {
        dx[b * cols + c] = a === k ? g : 0;
        continue;
      }
      const at = (j: number) => x.data[x.offset + b * x.rowStride + (u * pieces + j) * x.colStride]!;
      const best = at(a);
      let ties = 1;
      let mine = a === k;
      if (!Number.isNaN(best)) {
        ties = 0;
        for (let j = 0; j < pieces; j++) if (at(j) === best) ties++;
        mine = at(k) === best;
      }
      dx[b * cols + c] = mine ? (ties === 1 ? g : round(g / ties)) : 0;
    }
  }
}

/** A rank-2 tensor's array seen through its strides. */
export function view2d(t: Tensor): View2d {
  return { data: t.storage.data!, offset: t.offset, rowStride: t.strides[0]!, colStride: t.strides[1]! };
}

/** maxout's CPU entry: the twin on x's array into `out` and `argmax`. */
export function maxoutOnCpu(x: Tensor, rows: number, units: number, pieces: number, out: Tensor, argmax: Tensor): void {
  maxoutCpu(view2d(x), rows, units, pieces, out.storage.data!, argmax.storage.data!);
}

/** maxoutBackward's CPU entry: the twin into `dx` (with dropout's mask and tie sharing when given). */
export function maxoutBackwardOnCpu(dy: Tensor, argmax: Tensor, rows: number, units: number, pieces: number, dx: Tensor, mask?: Tensor, x?: Tensor): void {
  maxoutBackwardCpu(view2d(dy), view2d(argmax), rows, units, pieces, dx.storage.data!, mask ? view2d(mask) : undefined, x ? view2d(x) : undefined);
}
