import { Params, type Device, type Storage, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { MULTI_SEGMENT_ALIGN, sgdMomentumMultiWgsl, sgdMomentumWgsl } from './optim.wgsl.js';

/** The threads a tensor of n elements takes in a multi-tensor dispatch: n rounded up to whole workgroups. */
export const segment = (n: number): number => Math.ceil(n / MULTI_SEGMENT_ALIGN) * MULTI_SEGMENT_ALIGN;

/** Dispatches optim.wgsl.ts's single-tensor kernel in place, grad dense: one thread per element. */
export function sgdMomentumOnWebgpu(param: Tensor, g: Tensor, velocity: Tensor, lr: number, momentum: number, weightDecay: number): void {
  const op = 'sgdMomentumUpdate';
  asGpu(param.device, op).dispatch({
    label: op,
    code: sgdMomentumWgsl(),
    params: new Params().u32(param.size).f32(lr, momentum, weightDecay).finish(),
    buffers: [param.storage, g.storage, velocity.storage],
    workgroups: grid1d(param.size),
  });
}

/**
 * Records one dispatch of optim.wgsl.ts's multi-tensor kernel over the triples (all non-empty,
 * grads dense): each tensor a segment of whole workgroups, one flat launch over them all.
 */
export function sgdMomentumMultiOnWebgpu(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  velocities: readonly Tensor[],
  lr: number,
  momentum: number,
  weightDecay: number,
): void {
  const count = params.length;
  const vec4s = Math.ceil((count + 1) / 4);
  // Segment starts, in threads.
  const starts: number[] = [0];
  for (const p of params) starts.push(starts[starts.length - 1]! + segment(p.size));
  const total = starts[count]!;
  const device = params[0]!.device;
  const buffers: Storage[] = [];
  params.forEach((p, t) => buffers.push(p.storage, grads[t]!.storage, velocities[t]!.storage));
  asGpu(device, 'sgdMomentumUpdateMany').dispatch({
    label: 'sgdMomentumUpdateMany',
    code: sgdMomentumMultiWgsl(count),
    params: new Params(16 + 32 * vec4s)
      .u32(total)
      .f32(lr, momentum, weightDecay)
      .vec4u(starts, vec4s)
      .vec4u(
        params.map((p) => p.size),
        vec4s,
      )
      .finish(),
    buffers,
    workgroups: grid1d(total),
  });
}

/** The triples one multi-tensor dispatch can bind: a third of the device's storage buffers per stage, within [1, max]. */
export function sgdMomentumTensorsPerDispatchOnWebgpu(device: Device, max: number): number {
  const storage = asGpu(device, 'sgdMomentumUpdateMany').limits.maxStorageBuffersPerShaderStage;
  return Math.max(1, Math.min(max, Math.floor(storage / 3)));
}
