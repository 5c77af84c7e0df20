import type { Tensor } from '@saddle/tensor';
import { asWasm, wasmType } from '../shared/launch.js';
import { checkIndices as checkIndexRange, type GatherLayout, type GatherOpName } from './gather.cpu.js';

/** Launches the wasm kernel (kernels-wasm assembly/gather/): gather32 or scatterAddF32, after checking the indices here. */
export function gatherOnWasm(op: GatherOpName, x: Tensor, idx: Tensor, out: Tensor, layout: GatherLayout): void {
  // The indices are in host-visible memory: checked here, with the CPU twin's error.
  checkIndexRange(op, idx.storage.data!.subarray(idx.offset), layout.m, layout.len);
  if (out.size === 0) return;
  const w = asWasm(x.device);
  const kernel = op === 'gather' ? 'gather32' : 'scatterAddF32';
  wasmType(op, x.dtype); // a 4-byte dtype: gather moves rows of words
  const args = [
    layout.outer,
    layout.len,
    layout.inner,
    layout.m,
    w.address(x.storage, x.offset),
    w.address(idx.storage, idx.offset),
    w.address(out.storage),
  ] as const;
  w.run(kernel, args, out.size);
}
