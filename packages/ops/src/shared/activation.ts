/**
 * The activations' math in TypeScript, once: the CPU twins of the elementwise, matmul-epilogue and
 * sigmoid-BCE kernels all call these. They compute in JS doubles (so an f32 result is the double
 * value rounded once, within half an ulp of the exact one for these well-conditioned forms, and the
 * f64 gradient checks get full double precision). Their WGSL counterparts are in activation.wgsl.ts.
 *
 * NaN propagates through every one of them, as in PyTorch: relu(NaN) = NaN.
 */

/** The activations a matmul (and a Linear layer) can fuse into its epilogue. */
export type Activation = 'none' | 'relu' | 'sigmoid';

/** Every fused activation of matmul. */
export const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'sigmoid'];

/** max(x, 0), NaN kept (and relu(-0) = 0). */
export function relu(x: number): number {
  return x > 0 || x !== x ? x : 0;
}

/** 1 / (1 + exp(-x)) with exp only of -|x|: no overflow, exact 0 and 1 far out. */
export function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): two non-negative terms, exp only of -|x|. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** tanh for the CPU twins. */
export const tanh = Math.tanh;

/**
 * The binary cross-entropy of sigmoid(z) against target t, from the logit:
 * max(z, 0) - z t + log(1 + exp(-|z|)).
 */
export function bceTerm(z: number, t: number): number {
  return Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
}

/** The fused epilogue's activation, as the matmul kernel applies it. */
export function activate(x: number, activation: Activation): number {
  if (activation === 'relu') return relu(x);
  if (activation === 'sigmoid') return sigmoid(x);
  return x;
}
