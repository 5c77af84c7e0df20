/**
 * Elementwise ops with scalar parameters: clamp(x, lo, hi) and leakyRelu(x, alpha), on a dense f32
 * input (the twin of packages/ops/src/parametric; the launcher copies a view first).
 *
 * Blocking: none. One read and one write of 4 bytes per element: bound by memory bandwidth.
 *
 * SIMD layout: four consecutive elements per f32x4; the parameters are splatted once per call.
 * The last n % 4 elements of a thread's share take a scalar loop that runs the same vector code on
 * a splatted value (lane 0), so an element's bits never depend on where the share began.
 *
 * Threads: the flat range [0, n) is cut into nthreads 16-aligned ranges (shared/threads.ts);
 * every element is computed by the same instructions, so 1 and N threads agree bit for bit.
 *
 * Bounds: a thread reads x[start, end) and writes out[start, end) only.
 *
 * Numerics: exact. clamp is min(max(x, lo), hi): wasm's f32x4.max and .min propagate NaN, so
 * clamp(NaN) = NaN, as the CPU twin's Math.min(Math.max(...)). leakyRelu selects x where x > 0 and
 * alpha * x elsewhere (one rounded multiply); NaN fails x > 0 and alpha * NaN is NaN.
 *
 * Op codes (keep in step with WASM_PARAMETRIC_CODES in @saddle/ops's parametric.ts).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';

const CLAMP = 0, LEAKY_RELU = 1;

@inline
function parametricV(op: i32, x: v128, a: v128, b: v128): v128 {
  if (op == CLAMP) return f32x4.min(f32x4.max(x, a), b);
  return v128.bitselect(x, f32x4.mul(a, x), f32x4.gt(x, f32x4.splat(0)));
}

@inline
function walk(op: i32, n: i32, x: usize, out: usize, a: f32, b: f32, tid: i32, nthreads: i32): void {
  const start = shareStart(n, tid, nthreads);
  const end = shareEnd(n, tid, nthreads);
  const av = f32x4.splat(a);
  const bv = f32x4.splat(b);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = (<usize>i) << 2;
    v128.store(out + off, parametricV(op, v128.load(x + off), av, bv));
  }
  for (; i < end; i++) {
    const off = (<usize>i) << 2;
    store<f32>(out + off, f32x4.extract_lane(parametricV(op, f32x4.splat(load<f32>(x + off)), av, bv), 0));
  }
}

/** out[i] = op(x[i]; a, b) for i in [0, n): clamp (a = lo, b = hi) or leakyRelu (a = alpha). */
export function parametricF32(op: i32, n: i32, x: usize, out: usize, a: f32, b: f32, tid: i32, nthreads: i32): void {
  // A constant op per branch: the walker is inlined twice and the select is resolved once per call.
  if (op == CLAMP) walk(CLAMP, n, x, out, a, b, tid, nthreads);
  else walk(LEAKY_RELU, n, x, out, a, b, tid, nthreads);
}
