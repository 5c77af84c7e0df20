/**
 * The matmul's register tiles in isolation, for tuning (not part of the kernels module: the
 * script scripts/tile-probe.mjs compiles this file on its own, in the SIMD128 and the relaxed-SIMD
 * build, and times it). Each function runs `reps` passes of one tile over a kc-step K block of
 * packed panels already in cache, the inner loop of matmul.ts and nothing else: no packing, no
 * stores to C but the last. `chains` runs register-only multiply-add chains (no loads) with 8 or
 * 12 accumulators, to see how many independent chains the core needs to stay busy.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { madd } from '../shared/fma';

/** 4 x 8, A values splatted from memory (the SIMD128 build's tile). A panel: 4 floats per k. */
export function tile4x8(pa0: usize, pb0: usize, kc: i32, reps: i32, out: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let r = 0; r < reps; r++) {
    let pa = pa0, pb = pb0;
    const end = pb + ((<usize>kc) << 5);
    while (pb < end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let x = v128.load32_splat(pa);
      c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
      x = v128.load32_splat(pa, 4);
      c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
      x = v128.load32_splat(pa, 8);
      c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
      x = v128.load32_splat(pa, 12);
      c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
      pa += 16;
      pb += 32;
    }
  }
  v128.store(out, f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31))));
}

/** 5 x 8, rows 0-3 broadcast by shuffles, row 4 splatted (the relaxed-SIMD build's tile). A panel: 5 floats per k. */
export function tile5x8(pa0: usize, pb0: usize, kc: i32, reps: i32, out: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  for (let r = 0; r < reps; r++) {
    let pa = pa0, pb = pb0;
    const end = pb + ((<usize>kc) << 5);
    while (pb < end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a = v128.load(pa);
      let x = v128.shuffle<f32>(a, a, 0, 0, 0, 0);
      c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
      x = v128.shuffle<f32>(a, a, 1, 1, 1, 1);
      c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
      x = v128.shuffle<f32>(a, a, 2, 2, 2, 2);
      c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
      x = v128.shuffle<f32>(a, a, 3, 3, 3, 3);
      c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
      x = v128.load32_splat(pa, 16);
      c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
      pa += 20;
      pb += 32;
    }
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
  v128.store(out, f32x4.add(s, f32x4.add(c40, c41)));
}

/** `iters` steps of `n` (8 or 12) register-only chains acc = acc * m + c, 3 madds per chain a step. */
export function chains(iters: i32, n: i32, out: usize): void {
  const m = f32x4.splat(0.999999);
  const c = f32x4.splat(1e-7);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  let a8 = f32x4.splat(9), a9 = f32x4.splat(10), a10 = f32x4.splat(11), a11 = f32x4.splat(12);
  if (n == 8) {
    for (let i = 0; i < iters; i++) {
      for (let j = 0; j < 3; j++) {
        a0 = madd(a0, m, c); a1 = madd(a1, m, c); a2 = madd(a2, m, c); a3 = madd(a3, m, c);
        a4 = madd(a4, m, c); a5 = madd(a5, m, c); a6 = madd(a6, m, c); a7 = madd(a7, m, c);
      }
    }
  } else {
    for (let i = 0; i < iters; i++) {
      for (let j = 0; j < 2; j++) {
        a0 = madd(a0, m, c); a1 = madd(a1, m, c); a2 = madd(a2, m, c); a3 = madd(a3, m, c);
        a4 = madd(a4, m, c); a5 = madd(a5, m, c); a6 = madd(a6, m, c); a7 = madd(a7, m, c);
        a8 = madd(a8, m, c); a9 = madd(a9, m, c); a10 = madd(a10, m, c); a11 = madd(a11, m, c);
      }
    }
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  v128.store(out, f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))));
}
