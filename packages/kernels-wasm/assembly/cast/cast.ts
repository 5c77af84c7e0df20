/**
 * cast: out[i] = convert(x[i]) between f32, i32 and u32, on a dense input (the twin of
 * packages/ops/src/cast; the launcher copies a view first).
 *
 * Blocking: none. One read and one write of 4 bytes per element: bound by memory bandwidth.
 *
 * SIMD layout: four consecutive elements per v128, converted by one instruction. The last n % 4
 * elements of a thread's share run the same vector instruction on a splatted value (lane 0), so an
 * element's bits never depend on where the share began.
 *
 * Threads: the flat range [0, n) is cut into nthreads 16-aligned ranges (shared/threads.ts);
 * every element is computed by the same instructions, so 1 and N threads agree bit for bit.
 *
 * Bounds: a thread reads x[start, end) and writes out[start, end) only.
 *
 * Numerics: WebAssembly's conversions are the rule itself. i32x4.trunc_sat_f32x4_s/_u truncate
 * toward zero, saturate at the integer range and give 0 for NaN; f32x4.convert_i32x4_s/_u round
 * to nearest (ties to even); i32 <-> u32 keeps the bits (a copy).
 *
 * Conversion codes (keep in step with WASM_CAST_CODES in @saddle/ops's cast.ts).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';

const F32_TO_I32 = 0, F32_TO_U32 = 1, I32_TO_F32 = 2, U32_TO_F32 = 3, BITS = 4, SAME = 5;

@inline
function convertV(code: i32, x: v128): v128 {
  switch (code) {
    case F32_TO_I32: return i32x4.trunc_sat_f32x4_s(x);
    case F32_TO_U32: return i32x4.trunc_sat_f32x4_u(x);
    case I32_TO_F32: return f32x4.convert_i32x4_s(x);
    case U32_TO_F32: return f32x4.convert_i32x4_u(x);
  }
  return x;
}

@inline
function walk(code: i32, n: i32, x: usize, out: usize, tid: i32, nthreads: i32): void {
  const start = shareStart(n, tid, nthreads);
  const end = shareEnd(n, tid, nthreads);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = (<usize>i) << 2;
    v128.store(out + off, convertV(code, v128.load(x + off)));
  }
  for (; i < end; i++) {
    const off = (<usize>i) << 2;
    store<i32>(out + off, i32x4.extract_lane(convertV(code, i32x4.splat(load<i32>(x + off))), 0));
  }
}

/** out[i] = convert(x[i]) for i in [0, n), by conversion `code` (above). */
export function castKernel(code: i32, n: i32, x: usize, out: usize, tid: i32, nthreads: i32): void {
  // A constant code per branch: the walker is inlined once per conversion.
  switch (code) {
    case F32_TO_I32: walk(F32_TO_I32, n, x, out, tid, nthreads); break;
    case F32_TO_U32: walk(F32_TO_U32, n, x, out, tid, nthreads); break;
    case I32_TO_F32: walk(I32_TO_F32, n, x, out, tid, nthreads); break;
    case U32_TO_F32: walk(U32_TO_F32, n, x, out, tid, nthreads); break;
    default: walk(BITS, n, x, out, tid, nthreads);
  }
}
