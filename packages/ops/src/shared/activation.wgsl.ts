/**
 * The activations' math in WGSL, once: the elementwise, matmul-epilogue and sigmoid-BCE kernels all
 * include this snippet (the TypeScript twins are in activation.ts).
 *
 * Numerics. Every function here is within a few ulps of the exact (float64) value over the whole f32
 * range, on any conforming compiler. Two facts shape the code:
 * - Shader compilers reorder float math: lavapipe folded `(1 + u) - 1` to `u`, which silently undid
 *   the classic log1p correction. So nothing here relies on the rounding of one step being undone by
 *   another; every form is a short chain of operations on non-negative terms (no cancellation),
 *   and small arguments get their own series, picked by a branch, not by a rounding trick.
 * - The builtins are not accurate enough: WGSL allows exp 3 + 2|x| ulps (lavapipe is 61 ulps off
 *   at x = -81), and log an absolute error of 2^-21 near 1 (lavapipe: 6.5e-6 at 0.9999, thousands of
 *   ulps), which makes log(1 + tiny) and tanh of tiny inputs useless in relative terms. So exp and
 *   log1p are our own: range reduction plus a short polynomial.
 *
 * expNonPositive(x), x <= 0 (every caller passes -|x|): x = k ln2 + r with k = round(x / ln2), |r| <=
 * ln2 / 2; k ln2 is subtracted in two parts (C1 has 9 significant bits, so k C1 is exact and x - k C1
 * is exact, Sterbenz), then exp(r) by its Taylor polynomial to r^7 (truncation < 0.1 ulp) and ldexp.
 * (Locals avoid the names the kernels use at module scope, such as p, a and b.)
 * Results below 2^-126 are flushed to zero (so sigmoid(-100) is exactly 0 on every device, whatever it
 * does with subnormals); NaN is passed through explicitly because the clamp to -104 is not NaN-safe.
 * log1pUnit(u), 0 <= u <= 1: log(1 + u) = 2 atanh(s), s = u / (2 + u) <= 1/3, by its series to s^15
 * (s^2 <= 1/9: truncation < 2^-26). For tiny u, s = u / 2 and the result is u to the last bit.
 * tanhAccurate(x): for |x| < 0.55 the Taylor series of tanh to x^17 (x^2 < 0.31; truncation < 0.1 ulp),
 * so tanh(1e-8) = 1e-8; beyond, (1 - e) / (1 + e) with e = exp(-2|x|) <= 1/3 (no cancellation).
 * bce(z, t) = |z| w + log1p(exp(-|z|)) with w = 1 - t for z > 0 and t otherwise: the same value as
 * max(z, 0) - z t + log1p(exp(-|z|)), but for a target in [0, 1] both terms are non-negative, so no
 * reordering can cancel the small loss of a confident, correct logit.
 * NaN propagates through all of them (PyTorch does the same); relu and the NaN tests use the bits of
 * the value, since a compiler may fold `x != x` to false and `max(NaN, 0)` may be 0.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
/** Whether an f32 is NaN, from its bits (a compiler may fold `v != v` to false). */
export const IS_NAN_WGSL = 'fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }';

/**
 * isNan, relu, expNonPositive and sigmoid for the scalar type `f32` or, with names ending in 4, for
 * `vec4<f32>` (the matmul epilogue works on vec4 accumulators: one vector body instead of four
 * inlined scalar ones keeps its pipelines as quick to compile as before). One template, two types.
 */
function elementwiseCore(vec4: boolean): string {
  const T = vec4 ? 'vec4<f32>' : 'f32';
  const s = vec4 ? '4' : '';
  const c = (v: string) => (vec4 ? `${T}(${v})` : v);
  const isNan = vec4
    ? `fn isNan4(v: vec4<f32>) -> vec4<bool> { return (bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u); }`
    : IS_NAN_WGSL;
  return /* wgsl */ `
${isNan}
fn relu${s}(x: ${T}) -> ${T} { return select(max(x, ${c('0.0')}), x, isNan${s}(x)); }
fn expNonPositive${s}(x: ${T}) -> ${T} {
  let y = max(x, ${c('-104.0')});
  let k = round(y * 1.442695041);
  let r = (y - k * 0.693359375) - k * -2.12194440e-4;
  let q = 1.0 + r * (1.0 + r * (0.5 + r * (0.1666666667 + r * (0.04166666667 + r * (0.008333333333 + r * (0.001388888889 + r * 0.0001984126984))))));
  // Below 2^-126 (k < -126) the result is flushed to 0 on purpose, so every device agrees whatever
  // it does with subnormals; NaN passes through (the max above may have dropped it).
  return select(select(ldexp(q, ${vec4 ? 'vec4<i32>' : 'i32'}(k)), ${c('0.0')}, k < ${c('-126.0')}), x, isNan${s}(x));
}
fn sigmoid${s}(x: ${T}) -> ${T} {
  let e = expNonPositive${s}(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= ${c('0.0')});
}`;
}

/** The vec4 forms of relu and sigmoid (relu4, sigmoid4), for the matmul epilogue. */
export const ACTIVATION_VEC4_WGSL = elementwiseCore(true);

/** The WGSL of the fused activations, included by kernels that apply one. */
export const ACTIVATION_WGSL = /* wgsl */ `${elementwiseCore(false)}
fn log1pUnit(u: f32) -> f32 {
  let s = u / (2.0 + u);
  let s2 = s * s;
  return s * (2.0 + s2 * (0.6666666667 + s2 * (0.4 + s2 * (0.2857142857 + s2 * (0.2222222222 + s2 * (0.1818181818 + s2 * (0.1538461538 + s2 * 0.1333333333)))))));
}
fn softplus(x: f32) -> f32 { return max(x, 0.0) + log1pUnit(expNonPositive(-abs(x))); }
fn tanhAccurate(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.55) {
    let x2 = x * x;
    return x * (1.0 + x2 * (-0.3333333333 + x2 * (0.1333333333 + x2 * (-0.05396825397 + x2 * (0.02186948854 + x2 * (-0.008863235530 + x2 * (0.003592128037 + x2 * (-0.001455834387 + x2 * 0.0005900274409))))))));
  }
  let e = expNonPositive(-2.0 * ax);
  return sign(x) * ((1.0 - e) / (1.0 + e));
}
fn bce(z: f32, t: f32) -> f32 {
  let az = abs(z);
  return az * select(t, 1.0 - t, z > 0.0) + log1pUnit(expNonPositive(-az));
}
`;
