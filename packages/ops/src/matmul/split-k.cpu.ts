import type { TypedArray } from '@saddle/tensor';
import { activate, type Activation } from '../shared/activation.js';

/**
 * CPU twin of the split-K reduction: out[i] = act(Σ_s partial[s·M·N + i] + bias[i mod N]), the
 * partial products summed in order s = 0 … S-1 (in doubles here; the kernel sums in f32).
 */
export function splitKReduceCpu(
  partial: TypedArray,
  out: TypedArray,
  m: number,
  n: number,
  splits: number,
  bias: TypedArray | null,
  activation: Activation,
): void {
  const mn = m * n;
  for (let i = 0; i < mn; i++) {
    let s = 0;
    for (let j = 0; j < splits; j++) s += partial[j * mn + i]!;
    out[i] = activate(bias ? s + bias[i % n]! : s, activation);
  }
}
