import type { Tensor } from '@saddle/tensor';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/**
 * gather and scatterAdd are linear and each other's transpose: gather's gradient scatters g back
 * to the rows it came from (summing repeats), scatterAdd's gathers G at the same indices.
 * `saved` is [indices].
 */
export function gatherRule(axis: number, size: number): Rule {
  return (g, saved) => [k.scatterAdd(g, saved[0] as Tensor, axis, size)];
}

export function scatterAddRule(axis: number): Rule {
  return (g, saved) => [k.gather(g, saved[0] as Tensor, axis)];
}
