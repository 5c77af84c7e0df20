import type { Tensor } from '@saddle/tensor';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/**
 * dropout: out = x · mask (mask is 0 or 1/keep), so dx = g · mask, with the very mask the forward
 * pass drew (saved, not redrawn). `saved` is [mask].
 */
export const dropoutRule: Rule = (g, saved) => [k.mul(g, saved[0] as Tensor)];
