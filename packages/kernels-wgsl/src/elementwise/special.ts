import type { Tensor } from '@saddle/tensor';
import { unary } from './elementwise.js';

// The named special functions (see special-ops.ts for their numerics).
export const log1p = (x: Tensor) => unary('log1p', x);
export const expm1 = (x: Tensor) => unary('expm1', x);
export const logSigmoid = (x: Tensor) => unary('logSigmoid', x);
