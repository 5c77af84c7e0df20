import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';

/** Launches the wasm forward kernel (kernels-wasm assembly/maxout/): x read through its strides. */
export function maxoutOnWasm(x: Tensor, rows: number, units: number, pieces: number, out: Tensor, argmax: Tensor): void {
  const n = rows * units;
  const w = asWasm(x.device);
  const [rs, cs] = x.strides as [number, number];
  w.run('maxoutForward', [rows, units, pieces, w.address(x.storage, x.offset), rs, cs, w.address(out.storage), w.address(argmax.storage)], n * (pieces + 2));
}

/** Launches the wasm backward kernel (the ties variant when x is given), inputs read through their strides. */
export function maxoutBackwardOnWasm(dy: Tensor, argmax: Tensor, rows: number, units: number, pieces: number, dx: Tensor, mask?: Tensor, x?: Tensor): void {
  const n = dx.size;
  const w = asWasm(dy.device);
  const m: [number, number, number] = mask ? [w.address(mask.storage, mask.offset), mask.strides[0]!, mask.strides[1]!] : [0, 0, 0];
  const args = [
    rows,
    units,
    pieces,
    w.address(dy.storage, dy.offset),
    dy.strides[0]!,
    dy.strides[1]!,
    w.address(argmax.storage, argmax.offset),
    argmax.strides[0]!,
    argmax.strides[1]!,
    ...m,
  ] as const;
  if (x) w.run('maxoutBackwardTies', [...args, w.address(x.storage, x.offset), x.strides[0]!, x.strides[1]!, w.address(dx.storage)], 2 * n + 3 * rows * units);
  else w.run('maxoutBackward', [...args, w.address(dx.storage)], n + 3 * rows * units);
}
