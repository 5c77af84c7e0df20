import { namedElementwiseOps } from './named-ops.js';
import { binary, unary } from './elementwise.js';

// The named special functions (see special-ops.ts for their numerics).
export const {
  /** Elementwise log(1 + x), accurate for small x. */
  log1p,
  /** Elementwise eˣ − 1, accurate for small x. */
  expm1,
  /** Elementwise log(sigmoid(x)) = −softplus(−x), without overflow. */
  logSigmoid,
} = namedElementwiseOps(unary, binary);
