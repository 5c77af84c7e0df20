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
 * CPU twin of the Adam kernel, in place:
 * g' = g + l2·p; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'·g';
 * p = p·decay − stepSize·m / (√v / sqrtBc2 + eps), one operation at a time in this order. On f32
 * arrays every operation is an f32 operation, as the wasm and WGSL kernels compute it: the
 * constants are rounded to f32 once and each double result is rounded to f32 (Math.fround: for +,
 * −, ×, ÷ and √ of f32 operands that is the correctly rounded f32 result), so the wasm kernel is
 * bit for bit this. On f64 arrays it computes in doubles. m and v are stored before p's line reads them.
 */
export function adamCpu(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, k: AdamConstants): void {
  const r = p instanceof Float32Array ? Math.fround : (x: number) => x;
  const [beta1, beta2, c1, c2, eps, l2, decay, stepSize, sqrtBc2] = [
    k.beta1,
    k.beta2,
    k.oneMinusBeta1,
    k.oneMinusBeta2,
    k.eps,
    k.l2,
    k.decay,
    k.stepSize,
    k.sqrtBc2,
  ].map(r) as [number, number, number, number, number, number, number, number, number];
  for (let i = 0; i < p.length; i++) {
    const w = p[i]!;
    const gi = r(g[i]! + r(l2 * w));
    const mi = r(r(beta1 * m[i]!) + r(c1 * gi));
    const vi = r(r(beta2 * v[i]!) + r(r(c2 * gi) * gi));
    m[i] = mi;
    v[i] = vi;
    p[i] = r(r(w * decay) - r(r(stepSize * mi) / r(r(r(Math.sqrt(vi)) / sqrtBc2) + eps)));
  }
}

/** adamUpdate's CPU entry: the twin on the tensors' arrays (grad dense), in place. */
export function adamOnCpu(param: Tensor, g: Tensor, m: Tensor, v: Tensor, k: AdamConstants): void {
  adamCpu(param.storage.data!, g.storage.data!, m.storage.data!, v.storage.data!, k);
}
