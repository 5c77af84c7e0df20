/**
 * log1p, expm1 and logSigmoid: elementwise table entries (spread into UNARY_OPS) whose WGSL must
 * stay accurate for small arguments even when the shader compiler reorders float math.
 *
 * Numerics. The textbook forms cancel: log(1 + x) loses x's low bits when 1 + x rounds, and the
 * classic repair log(1 + x) * x / ((1 + x) - 1) is undone by a compiler that folds (1 + x) - 1 to
 * x (lavapipe does). So nothing here relies on a rounding error surviving:
 *
 * - log1p(x) = 2·atanh(z), z = x / (2 + x): 2z(1 + z²/3 + z⁴/5 + ... + z¹⁶/17) for
 *   -0.5 < x < 1 (there |z| <= 1/3 and the truncation is below 3e-10, relative); neither 2 + x nor
 *   the division cancels. Outside that range log(1 + x) is already accurate (1 + x is exact for
 *   x in [-1, -0.5] by Sterbenz, and |log| >= 0.4 elsewhere).
 * - expm1(x): the Taylor series to x¹⁰/10! for |x| < 0.5 (truncation < 3e-10 relative); exp(x) - 1
 *   beyond, where |result| >= 0.39 and the subtraction loses nothing.
 * - logSigmoid(x) = min(x, 0) - log1p(exp(-|x|)): exp only sees arguments <= 0 (no overflow at
 *   x = -100), and log1p's series covers all of (0, 1], so log σ(30) = -9.4e-14 is exact rather
 *   than 0.
 *
 * The series are Horner polynomials: their terms shrink geometrically, so a compiler that
 * reassociates them changes the last bit at most. The CPU twins use Math.log1p / Math.expm1 in
 * doubles (the reference the kernel tests compare against).
 */
import type { UnaryOp } from './op-types.js';

/** Horner form of c0 + v(c1 + v(c2 + ...)) as WGSL. */
function horner(v: string, coefficients: readonly number[]): string {
  const lit = (c: number) => {
    const s = Math.fround(c).toPrecision(9);
    return s.includes('.') || s.includes('e') ? s : `${s}.0`;
  };
  return coefficients.reduceRight((acc, c, i) => (i === coefficients.length - 1 ? lit(c) : `(${lit(c)} + ${v} * ${acc})`), '');
}

/** 2·atanh(z) for |z| <= 1/3, z given as a WGSL expression: 2z(1 + z²/3 + ... + z¹⁶/17). */
function twoAtanhSeries(z: string): string {
  const w = `(${z} * ${z})`;
  return `(2.0 * ${z} * ${horner(w, [1, 1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13, 1 / 15, 1 / 17])})`;
}

/** log1p(u) as a WGSL expression of the WGSL expression `u`, for u > -1. */
export function log1pWgsl(u: string): string {
  const z = `(${u} / (2.0 + ${u}))`;
  return `select(log(1.0 + ${u}), ${twoAtanhSeries(z)}, ${u} > -0.5 && ${u} < 1.0)`;
}

const factorials = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800];

export const SPECIAL_UNARY_OPS = {
  /** log(1 + x), accurate for tiny x. */
  log1p: { wgsl: log1pWgsl('x'), cpu: Math.log1p, floatOnly: true },
  /** exp(x) - 1, accurate for tiny x. */
  expm1: {
    wgsl: `select(exp(x) - 1.0, x * ${horner(
      'x',
      factorials.slice(1).map((f) => 1 / f),
    )}, abs(x) < 0.5)`,
    cpu: Math.expm1,
    floatOnly: true,
  },
  /** log(sigmoid(x)) = -softplus(-x), finite and exact for logits of +-100. */
  logSigmoid: {
    wgsl: `(min(x, 0.0) - ${twoAtanhSeries('(exp(-abs(x)) / (2.0 + exp(-abs(x))))')})`,
    cpu: (x: number) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))),
    floatOnly: true,
  },
} satisfies Record<string, UnaryOp>;
