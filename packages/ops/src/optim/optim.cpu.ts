import type { Tensor, TypedArray } from '@saddle/tensor';

/**
 * CPU twin of the SGD-momentum kernel, in place: v = momentum * v - lr * (g + weightDecay * p),
 * then p = p + v, computed in doubles. p is updated with v as stored (rounded to the array's
 * dtype), as the kernel does.
 */
export function sgdMomentumCpu(p: TypedArray, g: TypedArray, v: TypedArray, lr: number, momentum: number, weightDecay: number): void {
  for (let i = 0; i < p.length; i++) {
    v[i] = momentum * v[i]! - lr * (g[i]! + weightDecay * p[i]!);
    p[i] = p[i]! + v[i]!;
  }
}

/** sgdMomentumUpdate's CPU entry: the twin on the tensors' arrays (grad dense), in place. */
export function sgdMomentumOnCpu(param: Tensor, g: Tensor, velocity: Tensor, lr: number, momentum: number, weightDecay: number): void {
  sgdMomentumCpu(param.storage.data!, g.storage.data!, velocity.storage.data!, lr, momentum, weightDecay);
}
