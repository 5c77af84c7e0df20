import { ones, type Tensor } from '@saddle/tensor';
import * as k from './differentiable.js';
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

/**
 * maxoutBackward(dy, argmax, pieces[, mask]) scatters dy (times the mask) to the winning pieces.
 * It is linear in dy, so its own gradient is the transpose: gather each unit's winning piece of
 * the incoming gradient G [B, units * pieces] (times the mask). The one-hot of the winners is
 * maxoutBackward of ones; `saved` is [argmax, mask].
 */
export function maxoutBackwardRule(pieces: number): Rule {
  return (g, saved) => {
    const [argmax, mask] = saved as [Tensor, Tensor | null];
    const [rows, units] = argmax.shape as [number, number];
    const winners = k.maxoutBackward(ones([rows, units], { dtype: g.dtype, device: g.device }), argmax, pieces);
    const picked = k.sum(k.reshape(k.mul(g, winners), [rows, units, pieces]), 2);
    return [mask ? k.mul(picked, mask) : picked];
  };
}
