import type { Tensor } from '@saddle/tensor';
import * as k from '@saddle/kernels-wgsl';
import type { Rule } from '../tape.js';

/**
 * maxout: each unit's output is one of its pieces (the one the forward pass's argmax recorded), so
 * the gradient goes to that piece and the others get 0. `maxoutBackward` scatters it in one
 * kernel. `saved` is [argmax]: the i32 tensor the forward op returned next to its output.
 */
export function maxoutRule(pieces: number): Rule {
  return (g, saved) => [k.maxoutBackward(g, saved[0] as Tensor, pieces)];
}

/**
 * maxoutDropout: out = maxout(x) · mask, so the gradient of the unit is g · mask (the very mask the
 * forward pass drew, saved), and it goes to the winning piece. One kernel: `maxoutBackward` with the
 * mask multiplies and scatters. `saved` is [argmax, mask].
 */
export function maxoutDropoutRule(pieces: number): Rule {
  return (g, saved) => [k.maxoutBackward(g, saved[0] as Tensor, pieces, saved[1] as Tensor)];
}
