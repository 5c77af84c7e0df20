import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { emaWgsl } from './ema.wgsl.js';

/** Dispatches ema.wgsl.ts in place, source dense: one thread per element. */
export function emaOnWebgpu(target: Tensor, s: Tensor, decay: number, oneMinusDecay: number): void {
  const op = 'emaUpdate';
  asGpu(target.device, op).dispatch({
    label: op,
    code: emaWgsl(),
    params: new Params().u32(target.size).f32(decay, oneMinusDecay).finish(),
    buffers: [target.storage, s.storage],
    workgroups: grid1d(target.size),
  });
}
