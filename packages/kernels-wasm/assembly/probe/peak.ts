import { madd } from '../shared/fma';

/**
 * The machine's f32x4 mul + add rate, measured, for the benchmarks' "GFLOP/s against peak".
 *
 * Each thread runs `iters` steps of 12 independent chains acc = acc * m + c, all in registers
 * (12 accumulators + m + c: 14 of the 15 xmm registers V8 lets wasm use on x64; no loads, no
 * stores). A step is 12 f32x4 multiply-adds (shared/fma.ts's madd: a multiply and an add in the
 * SIMD128 build, one fused relaxed_madd in the relaxed-SIMD build), 96 flops: the same instruction mix
 * as the matmul's inner loop (which adds products of loaded values). Twelve chains give each
 * mul+add pair its full latency before the next step needs it, so the loop runs at the rate the
 * core issues vector multiplies and adds. The launcher times it on 1 and on every thread.
 *
 * The result is stored at out + 4 * tid (so the loop cannot be optimised away).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
export function peakMulAddF32(iters: i32, out: usize, tid: i32, nthreads: i32): void {
  const seed = <f32>(tid + 1);
  const m = f32x4.splat(0.999999);
  const c = f32x4.splat(1e-7);
  let a0 = f32x4.splat(seed), a1 = f32x4.splat(seed + 1), a2 = f32x4.splat(seed + 2), a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4), a5 = f32x4.splat(seed + 5), a6 = f32x4.splat(seed + 6), a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8), a9 = f32x4.splat(seed + 9), a10 = f32x4.splat(seed + 10), a11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, c);
    a1 = madd(a1, m, c);
    a2 = madd(a2, m, c);
    a3 = madd(a3, m, c);
    a4 = madd(a4, m, c);
    a5 = madd(a5, m, c);
    a6 = madd(a6, m, c);
    a7 = madd(a7, m, c);
    a8 = madd(a8, m, c);
    a9 = madd(a9, m, c);
    a10 = madd(a10, m, c);
    a11 = madd(a11, m, c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11));
  store<f32>(out + (<usize>tid << 2), f32x4.extract_lane(f32x4.add(s, t), 0) + <f32>nthreads * 0);
}

/** Flops of one step of peakMulAddF32 (12 chains x (mul + add) x 4 lanes). */
export const PEAK_FLOPS_PER_ITER: i32 = 96;
