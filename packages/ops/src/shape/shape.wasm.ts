import type { Storage, Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import { wasmCopyStrided } from '../shared/wasm-copy.js';

/** Launches the wasm strided copy (kernels-wasm assembly/shape/, through shared/wasm-copy.ts). */
export function copyStridedOnWasm(_label: string, src: Tensor, dstStorage: Storage, dstStrides: readonly number[], dstOffset: number): void {
  wasmCopyStrided(asWasm(src.device), src.shape, src.storage, src.strides, src.offset, dstStorage, dstStrides, dstOffset);
}
