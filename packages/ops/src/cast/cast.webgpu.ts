import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { castWgsl, type GpuDType } from './cast.wgsl.js';

/** Dispatches cast.wgsl.ts: one thread per element, from xd.dtype to out.dtype. */
export function castOnWebgpu(xd: Tensor, out: Tensor): void {
  asGpu(xd.device, 'cast').dispatch({
    label: `cast ${xd.dtype}>${out.dtype}`,
    code: castWgsl(xd.dtype as GpuDType, out.dtype as GpuDType),
    params: new Params().u32(out.size, 0, 0, 0).finish(),
    buffers: [xd.storage, out.storage],
    workgroups: grid1d(out.size),
  });
}
