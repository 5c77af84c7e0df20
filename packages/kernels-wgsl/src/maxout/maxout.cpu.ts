import type { TypedArray } from '@saddle/tensor';

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
 * scattered to the argmax piece, zeros elsewhere. The product dy * mask is rounded to dx's dtype
 * before it is stored, as the GPU's f32 product is (and as `mul(dy, mask)` would round it).
 */
export function maxoutBackwardCpu(dy: View2d, argmax: View2d, rows: number, units: number, pieces: number, dx: TypedArray, mask?: View2d): void {
  const cols = units * pieces;
  const round = dx instanceof Float32Array ? Math.fround : (v: number) => v;
  for (let b = 0; b < rows; b++) {
    for (let c = 0; c < cols; c++) {
      const u = Math.floor(c / pieces);
      const k = c % pieces;
      const a = argmax.data[argmax.offset + b * argmax.rowStride + u * argmax.colStride]!;
      let g = dy.data[dy.offset + b * dy.rowStride + u * dy.colStride]!;
      if (mask) g = round(g * mask.data[mask.offset + b * mask.rowStride + u * mask.colStride]!);
      dx[b * cols + c] = a === k ? g : 0;
    }
  }
}
