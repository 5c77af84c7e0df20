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

/** CPU twin of the maxout backward kernel: dy scattered to the argmax piece, zeros elsewhere. */
export function maxoutBackwardCpu(dy: View2d, argmax: View2d, rows: number, units: number, pieces: number, dx: TypedArray): void {
  const cols = units * pieces;
  for (let b = 0; b < rows; b++) {
    for (let c = 0; c < cols; c++) {
      const u = Math.floor(c / pieces);
      const k = c % pieces;
      const a = argmax.data[argmax.offset + b * argmax.rowStride + u * argmax.colStride]!;
      dx[b * cols + c] = a === k ? dy.data[dy.offset + b * dy.rowStride + u * dy.colStride]! : 0;
    }
  }
}
