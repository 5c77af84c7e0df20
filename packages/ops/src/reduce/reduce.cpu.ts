import type { TypedArray } from '@saddle/tensor';
import { stridedIndex } from '../shared/strided.js';

/** What the CPU reduction twin computes. */
export type ReduceCpuKind = 'sum' | 'mean' | 'max' | 'argmax';

/** Whether (va, ia) beats (vb, ib) for max/argmax: NaN beats numbers, then larger, then lower index. */
export function maxBetter(va: number, ia: number, vb: number, ib: number): boolean {
  const na = Number.isNaN(va);
  const nb = Number.isNaN(vb);
  if (na !== nb) return na;
  if (!na && va !== vb) return va > vb;
  return ia < ib;
}

/**
 * CPU twin of the reduction kernels. Reduces the strided input over `axes` (sorted, unique); the
 * outputs are written densely in row-major order of the kept dims. Sums are accumulated in JS
 * doubles (so the twin is far more accurate than any f32 order and the GPU is checked against it);
 * `mean` divides by the reduced count (0 / 0 = NaN for an empty reduction). argmax writes the
 * row-major index over the reduced dims (for one axis: the position along it).
 */
export function reduceCpu(
  kind: ReduceCpuKind,
  x: TypedArray,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  axes: readonly number[],
  out: TypedArray,
): void {
  const reduced = new Set(axes);
  const kept = shape.map((_, i) => i).filter((i) => !reduced.has(i));
  const keptShape = kept.map((i) => shape[i]!);
  const keptStrides = kept.map((i) => strides[i]!);
  const redShape = axes.map((i) => shape[i]!);
  const redStrides = axes.map((i) => strides[i]!);
  const m = keptShape.reduce((a, d) => a * d, 1);
  const n = redShape.reduce((a, d) => a * d, 1);
  const redOffsets = new Array<number>(n);
  for (let r = 0; r < n; r++) redOffsets[r] = stridedIndex(r, redShape, redStrides, 0);
  for (let o = 0; o < m; o++) {
    const base = stridedIndex(o, keptShape, keptStrides, offset);
    if (kind === 'sum' || kind === 'mean') {
      let acc = 0;
      for (let r = 0; r < n; r++) acc += x[base + redOffsets[r]!]!;
      out[o] = kind === 'mean' ? acc / n : acc;
    } else {
      let best = NaN;
      let bestI = -1;
      for (let r = 0; r < n; r++) {
        const v = x[base + redOffsets[r]!]!;
        if (bestI < 0 || maxBetter(v, r, best, bestI)) {
          best = v;
          bestI = r;
        }
      }
      out[o] = kind === 'max' ? best : bestI;
    }
  }
}
