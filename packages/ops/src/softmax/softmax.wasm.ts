import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import type { RowLayout } from './softmax.cpu.js';

/** Launches the wasm kernel (kernels-wasm assembly/softmax/): one row per (o, i) pair, rows split across threads. */
export function softmaxOnWasm(x: Tensor, layout: RowLayout, log: boolean, out: Tensor): void {
  const w = asWasm(x.device);
  const rows = layout.outer * layout.inner;
  w.run('softmaxF32', [log ? 1 : 0, rows, layout.len, layout.inner, w.address(x.storage, x.offset), w.address(out.storage)], out.size);
}
