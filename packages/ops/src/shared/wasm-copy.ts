import type { Storage, WasmDevice } from '@saddle/tensor';
import { wasmDims } from './strided.js';

/**
 * Runs the wasm strided copy (kernels-wasm/assembly/shape/shape.ts): the elements of `shape` read
 * from `src` through (srcStrides, srcOffset) are written to `dst` through (dstStrides, dstOffset),
 * as 32-bit words whatever the dtype. Picks the kernel's tiled transpose path when, after merging
 * dims, the destination is contiguous along the last dim and the source along the one before.
 * Used by concat/copyInto and by the unary `copy` (contiguous).
 */
export function wasmCopyStrided(
  w: WasmDevice,
  shape: readonly number[],
  src: Storage,
  srcStrides: readonly number[],
  srcOffset: number,
  dst: Storage,
  dstStrides: readonly number[],
  dstOffset: number,
): void {
  const n = shape.reduce((p, d) => p * d, 1);
  if (n === 0) return;
  const { rank, dims } = wasmDims(shape, [srcStrides, dstStrides]);
  const transposed = rank >= 2 && dims[2 * rank - 2] === 1 && dims[3 * rank - 1] === 1 ? 1 : 0;
  w.run('copyStrided', [n, w.address(src, srcOffset), w.address(dst, dstOffset), rank, w.ints(dims), transposed], n);
}
