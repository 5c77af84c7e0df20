import type { Tensor, TypedArray } from '@saddle/tensor';
import { stridedIndex } from '../shared/strided.js';
import { forEachBlock, type Stream } from '../random/random.cpu.js';

/**
 * Whether element i survives: its Philox word x (word i % 4 of block floor(i / 4), as in `rand`)
 * passes `(x >>> 8) < threshold`, threshold = ceil(keep * 2^24). That is exactly `u < keep` for the
 * uniform `u = (x >>> 8) * 2^-24` that `rand` draws, decided in integers so no device rounds it.
 */
export function keepThreshold(keep: number): number {
  return Math.ceil(keep * 16777216);
}

/** CPU twin of the mask kernel: mask[i] = kept ? scale : 0. */
export function dropoutMaskCpu(s: Stream, threshold: number, scale: number, mask: TypedArray): void {
  const n = mask.length;
  forEachBlock(n, s, (b, w) => {
    for (let j = 0; j < 4 && 4 * b + j < n; j++) mask[4 * b + j] = w[j]! >>> 8 < threshold ? scale : 0;
  });
}

/**
 * CPU twin of the fused kernel: out[i] = kept ? x[i] * scale : 0 and mask[i] = kept ? scale : 0,
 * x read through its strides. `scale` must already be rounded to the output's dtype (fround for
 * f32), so that the double product rounds, on the store, to the f32 product the GPU computes.
 */
export function dropoutCpu(
  s: Stream,
  threshold: number,
  scale: number,
  x: TypedArray,
  shape: readonly number[],
  xStrides: readonly number[],
  xOffset: number,
  out: TypedArray,
  mask: TypedArray,
): void {
  const n = out.length;
  forEachBlock(n, s, (b, w) => {
    for (let j = 0; j < 4 && 4 * b + j < n; j++) {
      const i = 4 * b + j;
      const kept = w[j]! >>> 8 < threshold;
      out[i] = kept ? x[stridedIndex(i, shape, xStrides, xOffset)]! * scale : 0;
      mask[i] = kept ? scale : 0;
    }
  });
}

/** The mask's CPU entry: the twin into `mask`, its scale rounded to the mask's dtype. */
export function dropoutMaskOnCpu(_op: string, stream: Stream, threshold: number, keep: number, mask: Tensor): void {
  dropoutMaskCpu(stream, threshold, mask.dtype === 'f32' ? Math.fround(1 / keep) : 1 / keep, mask.storage.data!);
}

/** Dropout's CPU entry: the fused twin on x's array (through its strides) into `out` and `mask`. */
export function dropoutOnCpu(_op: string, x: Tensor, stream: Stream, threshold: number, keep: number, out: Tensor, mask: Tensor): void {
  const scale = x.dtype === 'f32' ? Math.fround(1 / keep) : 1 / keep;
  dropoutCpu(stream, threshold, scale, x.storage.data!, x.shape, x.strides, x.offset, out.storage.data!, mask.storage.data!);
}
