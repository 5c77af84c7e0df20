import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import type { Stream } from '../random/random.cpu.js';
import { maxoutDropoutWgsl } from './maxout-dropout.wgsl.js';

/** Dispatches maxout-dropout.wgsl.ts: one thread per Philox block of four outputs. */
export function maxoutDropoutOnWebgpu(
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
  const op = 'maxoutDropout';
  const n = rows * units;
  asGpu(x.device, op).dispatch({
    label: op,
    code: maxoutDropoutWgsl,
    params: new Params()
      .u32(n, units, pieces, x.offset, x.strides[0]!, x.strides[1]!, threshold, stream.key[0])
      .u32(stream.key[1], stream.offset[0], stream.offset[1])
      .f32(1 / keep)
      .finish(),
    buffers: [x.storage, out.storage, argmax.storage, mask.storage],
    workgroups: grid1d(Math.ceil(n / 4)),
  });
}
