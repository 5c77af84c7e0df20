import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import type { AdamConstants } from './adam.cpu.js';
import { adamWgsl } from './adam.wgsl.js';

/** Dispatches adam.wgsl.ts in place, grad dense: one thread per element. */
export function adamOnWebgpu(param: Tensor, g: Tensor, m: Tensor, v: Tensor, k: AdamConstants): void {
  const op = 'adamUpdate';
  asGpu(param.device, op).dispatch({
    label: op,
    code: adamWgsl(),
    params: new Params().u32(param.size).f32(k.beta1, k.beta2, k.oneMinusBeta1, k.oneMinusBeta2, k.eps, k.l2, k.decay, k.stepSize, k.sqrtBc2).finish(),
    buffers: [param.storage, g.storage, m.storage, v.storage],
    workgroups: grid1d(param.size),
  });
}
