import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { parametricWgsl, type ParametricOpName } from './parametric.wgsl.js';

/** Dispatches parametric.wgsl.ts: one thread per element, the parameters in the uniforms. */
export function parametricOnWebgpu(name: ParametricOpName, xd: Tensor, a: number, b: number, out: Tensor): void {
  asGpu(xd.device).dispatch({
    label: name,
    code: parametricWgsl(name),
    params: new Params().u32(out.size).f32(a, b).finish(),
    buffers: [xd.storage, out.storage],
    workgroups: grid1d(out.size),
  });
}
