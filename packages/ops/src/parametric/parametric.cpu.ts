import type { Tensor, TypedArray } from '@saddle/tensor';
import type { ParametricOpName } from './parametric.wgsl.js';

/** CPU twins of the parametric kernels, on dense arrays. */
export const PARAMETRIC_CPU: Record<ParametricOpName, (x: number, a: number, b: number) => number> = {
  clamp: (x, lo, hi) => Math.min(Math.max(x, lo), hi),
  leakyRelu: (x, alpha) => (x > 0 ? x : alpha * x),
};

/** The CPU twin of parametric op `name` with parameters `a`, `b`. */
export function parametricCpu(name: ParametricOpName, x: TypedArray, a: number, b: number, out: TypedArray): void {
  const f = PARAMETRIC_CPU[name];
  for (let i = 0; i < out.length; i++) out[i] = f(x[i]!, a, b);
}

/** The parametric op's CPU entry: the twin on the tensors' arrays. */
export function parametricOnCpu(name: ParametricOpName, xd: Tensor, a: number, b: number, out: Tensor): void {
  parametricCpu(name, xd.storage.data!, a, b, out.storage.data!);
}
