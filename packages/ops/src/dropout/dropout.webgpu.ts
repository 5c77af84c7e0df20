import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import type { Stream } from '../random/random.cpu.js';
import { dropoutWgsl } from './dropout.wgsl.js';

function params(
  n: number,
  threshold: number,
  s: Stream,
  scale: number,
  rank = 0,
  xOffset = 0,
  shape: readonly number[] = [],
  strides: readonly number[] = [],
): Uint8Array {
  return new Params()
    .u32(n, rank, xOffset, threshold, s.key[0], s.key[1], s.offset[0], s.offset[1])
    .f32(scale)
    .u32(0, 0, 0)
    .vec4u(shape, 2)
    .vec4u(strides, 2)
    .finish();
}

/** Dispatches dropout.wgsl.ts without an input: the mask alone, one thread per Philox block of four. */
export function dropoutMaskOnWebgpu(op: string, stream: Stream, threshold: number, keep: number, mask: Tensor): void {
  const n = mask.size;
  asGpu(mask.device, op).dispatch({
    label: op,
    code: dropoutWgsl('f32', false, true),
    params: params(n, threshold, stream, 1 / keep),
    buffers: [mask.storage],
    workgroups: grid1d(Math.ceil(n / 4)),
  });
}

/** Dispatches dropout.wgsl.ts with x (dense or strided): out and the mask, one thread per block of four. */
export function dropoutOnWebgpu(op: string, x: Tensor, stream: Stream, threshold: number, keep: number, out: Tensor, mask: Tensor): void {
  const n = x.size;
  asGpu(x.device, op).dispatch({
    label: op,
    code: dropoutWgsl('f32', true, x.isDense),
    params: params(n, threshold, stream, 1 / keep, x.rank, x.offset, x.shape, x.strides),
    buffers: [x.storage, out.storage, mask.storage],
    workgroups: grid1d(Math.ceil(n / 4)),
  });
}
