import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import { wasmDims } from '../shared/strided.js';
import type { Stream } from '../random/random.cpu.js';

/** Launches the wasm mask kernel (kernels-wasm assembly/dropout/): 1/keep or 0 per element from the stream. */
export function dropoutMaskOnWasm(_op: string, stream: Stream, threshold: number, keep: number, mask: Tensor): void {
  const n = mask.size;
  const w = asWasm(mask.device);
  w.run('dropoutMask', [n, w.address(mask.storage), ...stream.key, ...stream.offset, threshold, 1 / keep], 16 * n);
}

/** Launches the wasm fused kernel: out = x * mask and the mask, x read through its (merged) strides. */
export function dropoutOnWasm(_op: string, x: Tensor, stream: Stream, threshold: number, keep: number, out: Tensor, mask: Tensor): void {
  const n = x.size;
  const w = asWasm(x.device);
  const { rank, dims } = wasmDims(x.shape, [x.strides]);
  const args = [
    n,
    w.address(x.storage, x.offset),
    w.address(out.storage),
    w.address(mask.storage),
    ...stream.key,
    ...stream.offset,
    threshold,
    1 / keep,
    rank,
    w.ints(dims),
  ] as const;
  w.run('dropoutApply', args, 16 * n);
}
