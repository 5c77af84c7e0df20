import type { DType } from '@saddle/tensor';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/** cast between float dtypes (f32 <-> f64): the gradient is cast back to the input's dtype. */
export function castRule(from: DType): Rule {
  return (g) => [k.cast(g, from)];
}
