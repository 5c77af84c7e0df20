import type { Tensor } from '@saddle/tensor';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/**
 * softmax along `axis`: y = softmax(x) has Jacobian diag(y) - y yᵀ per row, so
 *
 *   dx = y · (g - Σ_axis g·y)
 *
 * from the saved output alone (no exp recomputed). `saved` is [y].
 */
export function softmaxRule(axis: number): Rule {
  return (g, saved) => {
    const y = saved[0] as Tensor;
    return [k.mul(y, k.sub(g, k.sum(k.mul(g, y), axis, true)))];
  };
}

/**
 * logSoftmax along `axis`: y = x - logsumexp(x), so dy/dx = I - softmax(x) 1ᵀ per row and
 *
 *   dx = g - exp(y) · Σ_axis g
 *
 * (exp(y) is the softmax, from the saved output). `saved` is [y].
 */
export function logSoftmaxRule(axis: number): Rule {
  return (g, saved) => {
    const y = saved[0] as Tensor;
    return [k.sub(g, k.mul(k.exp(y), k.sum(g, axis, true)))];
  };
}
