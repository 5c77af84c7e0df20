import type { Tensor, TypedArray } from '@saddle/tensor';

/**
 * The constants of one Adam/AdamW step, folded from the hyperparameters and the step count by
 * `adamConstants` (adam.ts): every device's kernel takes these.
 */
export interface AdamConstants {
  /** The first moment's decay rate. */
  beta1: number;
  /** The second moment's decay rate. */
  beta2: number;
  /** 1 - beta1, computed in doubles on the host (a kernel computing it in f32 would lose digits). */
  oneMinusBeta1: number;
  /**
   * 1 - beta2, computed in doubles on the host. With beta2 = 0.9998, 1 - f32(beta2) carries a
   * relative error of ~2e-4 (the rounding of beta2 is magnified by the cancellation); passed in
   * ready-made it carries one f32 rounding.
   */
  oneMinusBeta2: number;
  /** Added to the denominator. */
  eps: number;
  /** Coupled (L2) weight decay, added to the gradient: Adam's weightDecay; 0 for AdamW. */
  l2: number;
  /** The weight's factor before the step: 1 - lr * weightDecay for AdamW; 1 for Adam. */
  decay: number;
  /** lr / (1 - beta1^t): the learning rate with the first moment's bias correction. */
  stepSize: number;
  /** sqrt(1 - beta2^t): the second moment's bias correction, as its square root. */
  sqrtBc2: number;
}

/**
 * CPU twin of the Adam kernel, in place, computed in doubles:
 * g' = g + l2·p; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'·g';
 * p = p·decay − stepSize·m / (√v / sqrtBc2 + eps). m and v are stored (rounded to the array's
 * dtype) before p's line reads them, as the kernels do.
 */
export function adamCpu(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, k: AdamConstants): void {
  const c1 = k.oneMinusBeta1;
  const c2 = k.oneMinusBeta2;
  for (let i = 0; i < p.length; i++) {
    const w = p[i]!;
    const gi = g[i]! + k.l2 * w;
    m[i] = k.beta1 * m[i]! + c1 * gi;
    v[i] = k.beta2 * v[i]! + c2 * gi * gi;
    p[i] = w * k.decay - (k.stepSize * m[i]!) / (Math.sqrt(v[i]!) / k.sqrtBc2 + k.eps);
  }
}

/** adamUpdate's CPU entry: the twin on the tensors' arrays (grad dense), in place. */
export function adamOnCpu(param: Tensor, g: Tensor, m: Tensor, v: Tensor, k: AdamConstants): void {
  adamCpu(param.storage.data!, g.storage.data!, m.storage.data!, v.storage.data!, k);
}
