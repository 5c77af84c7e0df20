import type { Tensor, TypedArray } from '@saddle/tensor';

/**
 * CPU twin of the moving-average kernel, in place: t = decay·t + oneMinusDecay·s, computed in
 * doubles and rounded once to the array's dtype on the store.
 */
export function emaCpu(t: TypedArray, s: TypedArray, decay: number, oneMinusDecay: number): void {
  for (let i = 0; i < t.length; i++) t[i] = decay * t[i]! + oneMinusDecay * s[i]!;
}

/** emaUpdate's CPU entry: the twin on the tensors' arrays (source dense), in place. */
export function emaOnCpu(target: Tensor, s: Tensor, decay: number, oneMinusDecay: number): void {
  emaCpu(target.storage.data!, s.storage.data!, decay, oneMinusDecay);
}
