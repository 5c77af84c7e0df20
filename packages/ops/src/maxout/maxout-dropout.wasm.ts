import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import type { Stream } from '../random/random.cpu.js';

/** Launches the wasm fused kernel (kernels-wasm assembly/maxout/): maxout, then the dropout mask from the stream. */
export function maxoutDropoutOnWasm(
  x: Tensor,
  rows: number,
  units: number,
  pieces: number,
  stream: Stream,
  threshold: number,
  keep: number,
  out: Tensor,
  argmax: Tensor,
  mask: Tensor,
): void {
  const n = rows * units;
  const w = asWasm(x.device);
  const args = [
    rows,
    units,
    pieces,
    w.address(x.storage, x.offset),
    x.strides[0]!,
    x.strides[1]!,
    w.address(out.storage),
    w.address(argmax.storage),
    w.address(mask.storage),
  ] as const;
  w.run('maxoutDropout', [...args, ...stream.key, ...stream.offset, threshold, 1 / keep], n * (pieces + 20));
}
