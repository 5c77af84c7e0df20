import type { Tensor } from '@saddle/tensor';
import { unary } from './elementwise.js';

// The named special functions (see special-ops.ts for their numerics).
/** Elementwise log(1 + x), accurate for small x. */
export const log1p = (x: Tensor) => unary('log1p', x);
/** Elementwise eˣ − 1, accurate for small x. */
export const expm1 = (x: Tensor) => unary('expm1', x);
/** Elementwise log(sigmoid(x)) = −softplus(−x), without overflow. */
export const logSigmoid = (x: Tensor) => unary('logSigmoid', x);
