/**
 * exp, sigmoid and tanh on four f32 lanes, for the kernels that need them at memory speed
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
 */

@inline
export function expV(x: v128): v128 {
  const hi = f32x4.splat(88.72283935546875);
  const lo = f32x4.splat(-87.33654022216797);
  const xc = f32x4.max(f32x4.min(x, hi), lo);
  // n = round(x / ln2), then r = x - n ln2 in two exact-ish steps.
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
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
  // 2^n: n + 127 in the exponent field (n is in [-126, 128] after the clamp; 128 only at the top).
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const twoN = i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23);
  let y = f32x4.mul(er, twoN);
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

/** Lane 0 of a vector function of a splatted scalar: the scalar tail, bit for bit the SIMD result. */
@inline
export function lane0(v: v128): f32 {
  return f32x4.extract_lane(v, 0);
}
