/**
 * pow(x, y) for f32 with JavaScript's (and C's, and PyTorch's) rules, which WGSL's builtin `pow`
 * does not follow: WGSL defines pow(x, y) as exp2(y·log2(x)), undefined for x < 0 and sloppy at
 * x = 0 (lavapipe gives pow(−2, 3) = NaN, pow(0, −1) = 0). The CPU twin is Math.pow and the wasm
 * kernel Mathf.pow; this function gives what they give:
 *
 * - y = 0: 1, whatever x (NaN included).
 * - NaN in x or y (y ≠ 0): NaN.
 * - x < 0 finite and y not an integer: NaN (a real power of a negative number does not exist);
 *   pow(−∞, 0.5) is +∞, as in C.
 * - otherwise the magnitude |x|^y, from the builtin on |x| > 0 (its domain), and for x = ±0 an
 *   exact 0 (y > 0) or +∞ (y < 0);
 * - and the sign: negative when x's sign bit is set (x < 0, or −0) and y is an odd integer. Every
 *   f32 of magnitude 2²⁴ or more is an even integer, so oddness is tested on |y| < 2²⁴ as an i32.
 *
 * So pow(−2, 3) = −8, pow(−2, 4) = 16, pow(−0, −3) = −∞, pow(−8, 1/3) = NaN, on every device; the
 * gradient b·a^(b−1) and the Hessian-vector products built from it follow. The magnitude's accuracy
 * is the builtin's (a few ulps for moderate exponents). Infinities come from the bits of a runtime
 * value (`& 0u` of x's bits), so no constant expression overflows.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export const POW_WGSL = /* wgsl */ `
fn powReal(x: f32, y: f32) -> f32 {
  let xb = bitcast<u32>(x);
  let inf = bitcast<f32>(0x7f800000u | (xb & 0u));
  if (y == 0.0) { return 1.0; }
  if (isNan(x) || isNan(y)) { return x + y; }
  let ay = abs(y);
  let isInt = ay >= 16777216.0 || floor(y) == y;
  let finite = (xb & 0x7fffffffu) < 0x7f800000u;
  if (x < 0.0 && finite && !isInt) { return bitcast<f32>(0x7fc00000u | (xb & 0u)); }
  let ax = abs(x);
  var r: f32;
  if (ax == 0.0) {
    r = select(0.0, inf, y < 0.0);
  } else {
    r = pow(ax, y);
  }
  let odd = ay < 16777216.0 && isInt && (i32(ay) & 1) == 1;
  return select(r, -r, odd && (xb & 0x80000000u) != 0u);
}`;
