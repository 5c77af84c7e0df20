import type { Storage, Tensor, TypedArray } from '@saddle/tensor';
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

/** The strided copy's CPU entry: the twin on the storages' arrays (`label` names the op on the other devices). */
export function copyStridedOnCpu(_label: string, src: Tensor, dstStorage: Storage, dstStrides: readonly number[], dstOffset: number): void {
  copyStridedCpu(src.shape, src.storage.data!, src.strides, src.offset, dstStorage.data!, dstStrides, dstOffset);
}
