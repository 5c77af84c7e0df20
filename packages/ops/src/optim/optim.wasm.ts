import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';

/** Launches the wasm SGD-momentum kernel (kernels-wasm assembly/optim/optim.ts) on one tensor in place, grad dense. */
export function sgdMomentumOnWasm(param: Tensor, g: Tensor, velocity: Tensor, lr: number, momentum: number, weightDecay: number): void {
  const w = asWasm(param.device);
  const args = [param.size, w.address(param.storage), w.address(g.storage), w.address(velocity.storage), lr, momentum, weightDecay] as const;
  w.run('sgdMomentum', args, 5 * param.size);
}

/**
 * Launches the wasm multi-tensor kernel over the triples (all non-empty, grads dense): one call over
 * the tensors' elements end to end, no segment padding needed.
 */
export function sgdMomentumMultiOnWasm(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  velocities: readonly Tensor[],
  lr: number,
  momentum: number,
  weightDecay: number,
): void {
  const count = params.length;
  const w = asWasm(params[0]!.device);
  const table = params.flatMap((p, t) => [w.address(p.storage), w.address(grads[t]!.storage), w.address(velocities[t]!.storage), p.size]);
  const elements = params.reduce((a, p) => a + p.size, 0);
  w.run('sgdMomentumMulti', [count, w.ints(table), lr, momentum, weightDecay], 5 * elements);
}
