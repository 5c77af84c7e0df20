import type { Shape, Tensor } from '@saddle/tensor';
import { k, unbroadcast } from './common.js';
import type { Rule } from '../tape.js';

/**
 * where(cond, a, b): the gradient goes to a where cond holds and to b elsewhere, each summed back
 * to its operand's shape (both broadcast). Written with where itself, so it differentiates
 * again; cond gets none (it selects, it is not a value). `saved` is [cond].
 */
export function whereRule(aShape: Shape, bShape: Shape): Rule {
  return (g, saved, needs) => {
    const cond = saved[0] as Tensor;
    return [needs[0] ? unbroadcast(k.where(cond, g, 0), aShape) : null, needs[1] ? unbroadcast(k.where(cond, 0, g), bShape) : null];
  };
}
