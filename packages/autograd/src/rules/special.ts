import type { Tensor } from '@saddle/tensor';
import { add, div, mul, neg, sigmoid } from './differentiable.js';
import type { UnaryRule } from './elementwise.js';

/** Gradient rules of log1p, expm1 and logSigmoid (spread into UNARY_RULES), in recording ops. */
export const SPECIAL_UNARY_RULES = {
  // d log(1 + x) = 1 / (1 + x).
  log1p: { saves: 'x', grad: (g: Tensor, x: Tensor) => div(g, add(x, 1)) },
  // d (exp(x) - 1) = exp(x) = y + 1.
  expm1: { saves: 'y', grad: (g: Tensor, y: Tensor) => mul(g, add(y, 1)) },
  // d log σ(x) = 1 - σ(x) = σ(-x).
  logSigmoid: { saves: 'x', grad: (g: Tensor, x: Tensor) => mul(g, sigmoid(neg(x))) },
} satisfies Record<string, UnaryRule>;
