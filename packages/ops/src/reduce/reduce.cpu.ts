import { Tensor, type TypedArray } from '@saddle/tensor';
import { mergeDimsOf, stridedIndex } from '../shared/strided.js';

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

/** A strided layout: its shape and strides. */
export interface Dims {
  shape: number[];
  strides: number[];
}

/**
 * Drops size-1 dims and merges neighbours that are one run in memory (stride[i] = stride[i+1] *
 * shape[i+1]), so a reduction over the contiguous last axes becomes one dim of stride 1.
 */
export function mergeDims(shape: readonly number[], strides: readonly number[]): Dims {
  const merged = mergeDimsOf(shape, [strides]);
  return { shape: merged.shape, strides: merged.strides[0]! };
}

/** The reduction's CPU entry: the twin on x's array (through its strides) into a new dense tensor. */
export function reduceOnCpu(_op: string, kind: ReduceCpuKind, x: Tensor, axes: number[], outShape: number[]): Tensor {
  const out = Tensor.empty(outShape, kind === 'argmax' ? 'i32' : x.dtype, x.device);
  reduceCpu(kind, x.storage.data!, x.shape, x.strides, x.offset, axes, out.storage.data!);
  return out;
}
