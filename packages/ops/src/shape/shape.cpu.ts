import type { TypedArray } from '@saddle/tensor';
import { stridedIndex } from '../shared/strided.js';

/**
 * CPU twin of the strided copy kernel: for each flat index i of `shape`,
 * dst[strided(i, dstStrides, dstOffset)] = src[strided(i, srcStrides, srcOffset)].
 */
export function copyStridedCpu(
  shape: readonly number[],
  src: TypedArray,
  srcStrides: readonly number[],
  srcOffset: number,
  dst: TypedArray,
  dstStrides: readonly number[],
  dstOffset: number,
): void {
  let n = 1;
  for (const d of shape) n *= d;
  for (let i = 0; i < n; i++) {
    dst[stridedIndex(i, shape, dstStrides, dstOffset)] = src[stridedIndex(i, shape, srcStrides, srcOffset)]!;
  }
}
