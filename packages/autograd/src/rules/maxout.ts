import { ones, type Tensor } from '@saddle/tensor';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/**
 * maxout: each unit's output is the max of its pieces, so the gradient goes to the piece that won
 * and the others get 0. At a tie the c tied pieces share it evenly, g / c each: the same rule as
 * `max` (rules/reduce.ts) and `maximum`, the midpoint of the one-sided slopes that central
 * differences see. (If the winner is NaN, the first NaN piece, the one argmax names, takes it all.)
 * `maxoutBackward` scatters it in one kernel. `saved` is [argmax, x]: the i32 tensor the forward op
 * returned next to its output, and the input (to find the pieces tied with the winner).
 */
export function maxoutRule(pieces: number): Rule {
  return (g, saved) => [k.maxoutBackward(g, saved[0] as Tensor, pieces, undefined, saved[1] as Tensor)];
}

/**
 * maxoutDropout: out = maxout(x) · mask, so the gradient of the unit is g · mask (the very mask the
 * forward pass drew, saved), and it goes to the winning piece (shared at ties, as in maxout). One
 * kernel: `maxoutBackward` with the mask multiplies and scatters. `saved` is [argmax, mask, x].
 */
export function maxoutDropoutRule(pieces: number): Rule {
  return (g, saved) => [k.maxoutBackward(g, saved[0] as Tensor, pieces, saved[1] as Tensor, saved[2] as Tensor)];
}

/**
 * maxoutBackward(dy, argmax, pieces[, mask[, x]]) scatters dy (times the mask) to the winning
 * pieces (shared evenly among tied pieces when x is given). It is linear in dy, so its own
 * gradient is the transpose: each unit gathers the incoming gradient G [B, units * pieces] over its
 * pieces, weighted as the scatter weighted them (1 for the winner, 1/c for each of c tied pieces),
 * times the mask. Those weights are maxoutBackward of ones; `saved` is [argmax, mask, x].
 */
export function maxoutBackwardRule(pieces: number): Rule {
  return (g, saved) => {
    const [argmax, mask, x] = saved as [Tensor, Tensor | null, Tensor | null];
    const [rows, units] = argmax.shape as [number, number];
    const winners = k.maxoutBackward(ones([rows, units], { dtype: g.dtype, device: g.device }), argmax, pieces, undefined, x ?? undefined);
    const picked = k.sum(k.reshape(k.mul(g, winners), [rows, units, pieces]), 2);
    return [mask ? k.mul(picked, mask) : picked];
  };
}
