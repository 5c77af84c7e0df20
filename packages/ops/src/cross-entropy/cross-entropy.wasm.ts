import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import { checkLabels } from './cross-entropy.cpu.js';

/** Launches the wasm rows kernel (kernels-wasm assembly/cross-entropy/), after checking the labels here. */
export function crossEntropyRowsOnWasm(x: Tensor, l: Tensor, rows: number, len: number, perRow: Tensor): void {
  // The labels are in host-visible memory: checked here, with the CPU twin's error.
  checkLabels(l.storage.data!.subarray(l.offset), rows, len);
  const w = asWasm(x.device);
  w.run('crossEntropyRowsF32', [rows, len, w.address(x.storage, x.offset), w.address(l.storage, l.offset), w.address(perRow.storage)], rows * len);
}

/** Launches the wasm gradient kernel (kernels-wasm assembly/cross-entropy/), after checking the labels here. */
export function crossEntropyGradOnWasm(x: Tensor, l: Tensor, s: Tensor, rows: number, len: number, out: Tensor): void {
  checkLabels(l.storage.data!.subarray(l.offset), rows, len);
  const w = asWasm(x.device);
  const args = [
    rows,
    len,
    w.address(x.storage, x.offset),
    w.address(l.storage, l.offset),
    w.address(s.storage, s.offset),
    1 / rows,
    w.address(out.storage),
  ] as const;
  w.run('crossEntropyGradF32', args, rows * len);
}
