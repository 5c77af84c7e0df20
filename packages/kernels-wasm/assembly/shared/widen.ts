/**
 * f32x4 <-> f64x2 for the kernels that compute in doubles to match their CPU twins bit for bit
 * (optim/optim.ts, optim/ema.ts): promotion is exact, and one demotion rounds once, as a JS
 * double stored into a Float32Array does.
 *
 * Why in doubles: the CPU twin of an optimizer update is plain JS, whose arithmetic is f64; a
 * kernel that widened each f32 lane, did every operation in f64 and narrowed once at the store
 * gives the twin's bits exactly, so the tests can ask for equality instead of a tolerance.
 * Cost: an f64x2 holds two lanes, not four, so each f32x4 load becomes two f64x2 streams; for a
 * memory-bound update (a few operations per 12-16 bytes moved) that costs little.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */

/** Lanes 0-1 of an f32x4 as an f64x2 (exact). */
@inline
export function lowF64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2-3 of an f32x4 as an f64x2 (exact). */
@inline
export function highF64(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

/** lo and hi (f64x2 each) rounded to f32 and joined into one f32x4: lo[0], lo[1], hi[0], hi[1]. */
@inline
export function joinF32(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
