import type { Tensor } from '@saddle/tensor';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/**
 * leakyRelu(x, alpha): the slope is 1 where x > 0 and alpha elsewhere, written as
 * alpha + (1 - alpha)·step(x) (step records with a zero gradient, so this rule differentiates
 * again). `saved` is [x].
 */
export function leakyReluRule(alpha: number): Rule {
  return (g, saved) => [k.mul(g, k.add(k.mul(k.step(saved[0] as Tensor), 1 - alpha), alpha))];
}

/**
 * clamp(x, lo, hi): the gradient passes where lo < x < hi and is 0 where x was clamped (at the
 * bounds themselves too: keep inputs off them when checking gradients). `saved` is [x].
 */
export function clampRule(lo: number, hi: number): Rule {
  return (g, saved) => {
    const x = saved[0] as Tensor;
    return [k.mul(g, k.mul(k.greater(x, lo), k.greater(hi, x)))];
  };
}
