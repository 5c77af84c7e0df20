import { Params, type Storage, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { copyStridedWgsl } from './shape.wgsl.js';

/** Dispatches shape.wgsl.ts: one thread per element of `src`, written through the destination's strides. */
export function copyStridedOnWebgpu(label: string, src: Tensor, dstStorage: Storage, dstStrides: readonly number[], dstOffset: number): void {
  const n = src.size;
  asGpu(src.device, label).dispatch({
    label,
    code: copyStridedWgsl(),
    params: new Params().u32(n, src.rank, src.offset, dstOffset).vec4u(src.shape, 2).vec4u(src.strides, 2).vec4u(dstStrides, 2).finish(),
    buffers: [src.storage, dstStorage],
    workgroups: grid1d(n),
  });
}
