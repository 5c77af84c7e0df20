/**
 * exp, log, sigmoid, tanh and softplus on four f32 lanes, for the kernels that need them at memory speed
 * (AssemblyScript's Mathf is scalar: called lane by lane it ran at ~1 GB/s).
 *
 * exp(x) (Cephes' expf): write x = n ln2 + r with n = round(x log2 e) and |r| <= ln2/2, r computed
 * in two steps (ln2 = C1 + C2, C1 exact in 9 bits, so n * C1 is exact: Cody-Waite), then
 * exp(r) = 1 + r + r^2 P(r) with a degree-5 minimax P, and 2^n built in the exponent bits. Error:
 * about 1 ulp over the range. Inputs above 88.72 give +inf; below -87.34 give 0 (the true result
 * is subnormal, under 1.2e-38: an absolute error no f32 tolerance sees); NaN gives NaN.
 *
 * wasm's float arithmetic is IEEE with round-to-nearest per operation, with no fused multiply-add
 * (relaxed SIMD is not used) and no reassociation by the compiler, so these sequences give the
 * same bits wherever they run. A kernel's scalar tail calls the vector function on a splatted
 * value (lane 0 of it), so an element's bits do not depend on whether it fell in a SIMD block or
 * a tail, and thus not on how the work was split over threads.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */

@inline
export function expV(x: v128): v128 {
  const hi = f32x4.splat(88.72283935546875);
  const lo = f32x4.splat(-87.33654022216797);
  const xc = f32x4.max(f32x4.min(x, hi), lo);
  // n = round(x / ln2) by the magic-number trick: adding 1.5 * 2^23 rounds to an integer (to
  // nearest, ties to even) and leaves n in the low mantissa bits; subtracting it back gives n as
  // a float. Two adds instead of a round and a float-to-int conversion.
  const magic = f32x4.splat(12582912);
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  // exp(r) = 1 + r + r^2 * P(r), Horner.
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  const er = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  // 2^n in the exponent field. n reaches 128 near the top of the range (2^128 is not a float), so
  // scale by 2^(n/2) twice: both halves are normal floats and the products are exact until the last.
  const ni = i32x4.sub(t, magic);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const bias = i32x4.splat(127);
  let y = f32x4.mul(f32x4.mul(er, i32x4.shl(i32x4.add(n1, bias), 23)), i32x4.shl(i32x4.add(n2, bias), 23));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, hi));
  y = v128.bitselect(f32x4.splat(0), y, f32x4.lt(x, lo));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/**
 * sigmoid(x) = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below: exp only ever sees -|x|, so
 * no lane overflows and sigmoid(+-100) is exact (1 and 3.7e-44 -> 0 within 1.2e-38).
 */
@inline
export function sigmoidV(x: v128): v128 {
  const e = expV(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(f32x4.splat(1), e);
  return v128.bitselect(f32x4.div(f32x4.splat(1), d), f32x4.div(e, d), f32x4.ge(x, f32x4.splat(0)));
}

/**
 * tanh(x): for |x| >= 0.625, sign(x) (1 - e) / (1 + e) with e = exp(-2|x|) (no cancellation there:
 * 1 - e >= 0.7); below, Cephes' odd polynomial x + x^3 P(x^2), accurate to about 1 ulp where the
 * exp form would lose bits. |x| is capped at 15 (tanh is 1 in f32 beyond 9.01).
 */
@inline
export function tanhV(x: v128): v128 {
  const ax = f32x4.min(f32x4.abs(x), f32x4.splat(15));
  const e = expV(f32x4.mul(ax, f32x4.splat(-2)));
  const big = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  const bigSigned = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(p, z), x));
  const y = v128.bitselect(small, bigSigned, f32x4.lt(f32x4.abs(x), f32x4.splat(0.625)));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/**
 * log(x) (Cephes' logf): split x = m 2^e with m in [sqrt(1/2), sqrt(2)) from the float's bits
 * (subnormals scaled by 2^23 first), f = m - 1, log(1 + f) = f - f^2/2 + f^3 P(f) with a degree-8
 * minimax P, and e ln2 added in two parts (C1 = 0.693359375 exact in 9 bits, C2 the rest), smallest
 * terms first. About 1 ulp. log(0) = -inf, log(x < 0) = NaN, log(inf) = inf, NaN stays NaN.
 */
@inline
export function logV(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38)); // subnormal (or <= 0: fixed at the end)
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(127));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  let m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m, f32x4.splat(1.41421356237));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  e = i32x4.sub(e, big); // big is -1 where m was halved: e + 1
  const f = f32x4.sub(m, f32x4.splat(1));
  const z = f32x4.mul(f, f);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(3.3333331174e-1));
  const ef = f32x4.convert_i32x4_s(e);
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(f32x4.add(f, y), f32x4.mul(ef, f32x4.splat(0.693359375)));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0)));
  r = v128.bitselect(x, r, v128.or(f32x4.eq(x, f32x4.splat(Infinity)), f32x4.ne(x, x)));
  return r;
}

/**
 * softplus(x) = max(x, 0) + log1p(e^-|x|). With e = e^-|x| in (0, 1] and u = 1 + e, log1p(e) is
 * log(u) * e / (u - 1): u - 1 is exact (Sterbenz), and the ratio corrects the rounding of u, so
 * tiny e keep full relative accuracy; where u rounds to 1, log1p(e) = e.
 */
@inline
export function softplusV(x: v128): v128 {
  const e = expV(f32x4.neg(f32x4.abs(x)));
  const u = f32x4.add(f32x4.splat(1), e);
  const um1 = f32x4.sub(u, f32x4.splat(1));
  const l1p = v128.bitselect(e, f32x4.div(f32x4.mul(logV(u), e), um1), f32x4.eq(um1, f32x4.splat(0)));
  return f32x4.add(f32x4.max(x, f32x4.splat(0)), l1p);
}

/**
 * 2 atanh(z) = 2z (1 + z^2/3 + z^4/5 + ... + z^16/17) for |z| <= 1/3 (truncation below 3e-10,
 * relative): log1p's series in z = u / (2 + u), where neither the addition nor the division
 * cancels. The same series as the WGSL (ops/src/elementwise/special-ops.ts).
 */
@inline
function twoAtanhV(z: v128): v128 {
  const w = f32x4.mul(z, z);
  let p = f32x4.splat(<f32>(1.0 / 17));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(<f32>(1.0 / 15)));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(<f32>(1.0 / 13)));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(<f32>(1.0 / 11)));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(<f32>(1.0 / 9)));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(<f32>(1.0 / 7)));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(<f32>(1.0 / 5)));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(<f32>(1.0 / 3)));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(1));
  return f32x4.mul(f32x4.mul(f32x4.splat(2), z), p);
}

/**
 * log1p(x) = log(1 + x): the 2 atanh series in z = x / (2 + x) for -0.5 < x < 1 (|z| <= 1/3),
 * log(1 + x) outside, where 1 + x is exact (x in [-1, -0.5], Sterbenz) or |log| >= 0.4 hides the
 * rounding of 1 + x. About 2 ulps. log1p(-1) = -inf, below -1 NaN, NaN stays NaN (the comparison
 * fails, so NaN takes the log branch).
 */
@inline
export function log1pV(x: v128): v128 {
  const series = twoAtanhV(f32x4.div(x, f32x4.add(f32x4.splat(2), x)));
  const inRange = v128.and(f32x4.gt(x, f32x4.splat(-0.5)), f32x4.lt(x, f32x4.splat(1)));
  return v128.bitselect(series, logV(f32x4.add(f32x4.splat(1), x)), inRange);
}

/**
 * expm1(x) = e^x - 1: the Taylor series x (1 + x/2! + ... + x^9/10!) for |x| < 0.5 (truncation
 * below 3e-10, relative), e^x - 1 beyond, where |result| >= 0.39 and the subtraction loses nothing.
 * NaN takes the exp branch and stays NaN; +inf gives +inf, -inf gives -1.
 */
@inline
export function expm1V(x: v128): v128 {
  let p = f32x4.splat(<f32>(1.0 / 3628800));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 362880)));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 40320)));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 5040)));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 720)));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 120)));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 24)));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(<f32>(1.0 / 6)));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1));
  const series = f32x4.mul(x, p);
  const big = f32x4.sub(expV(x), f32x4.splat(1));
  return v128.bitselect(series, big, f32x4.lt(f32x4.abs(x), f32x4.splat(0.5)));
}

/**
 * logSigmoid(x) = min(x, 0) - log1p(e^-|x|): exp sees only -|x| (no overflow), and e^-|x| is in
 * (0, 1], all of it in the series' range, so log sigma(30) = -9.4e-14 keeps its digits instead of
 * rounding to 0. min propagates NaN (wasm's f32x4.min does); -inf gives -inf.
 */
@inline
export function logSigmoidV(x: v128): v128 {
  const e = expV(f32x4.neg(f32x4.abs(x)));
  const l1p = twoAtanhV(f32x4.div(e, f32x4.add(f32x4.splat(2), e)));
  return f32x4.sub(f32x4.min(x, f32x4.splat(0)), l1p);
}

/** Lane 0 of a vector function of a splatted scalar: the scalar tail, bit for bit the SIMD result. */
@inline
export function lane0(v: v128): f32 {
  return f32x4.extract_lane(v, 0);
}
