/**
 * Philox4x32-10 counter-based random numbers (Salmon et al., SC 2011) and the draws built on them:
 * raw words, uniforms, normals (Box-Muller), integers, and Philox of caller-given counters (the
 * twin of packages/ops/src/random). The dropout kernels (../dropout) draw their masks
 * from the same blocks.
 *
 * The stream: element i of a draw is word i % 4 of counter block b = floor(i / 4), where block b is
 * Philox of the 128-bit counter (offset + b, 0, 0) under the 64-bit key (seed lo, seed hi). Every
 * device computes the same words, so the same seed draws the same bits on the CPU, WebGPU and here.
 *
 * SIMD layout: four counter blocks at once, "structure of arrays": one i32x4 holds word 0 of four
 * consecutive blocks, another word 1, and so on. A Philox round needs the full 64-bit product of
 * two u32s (its low and high halves). wasm SIMD has no 32x32 -> high-32 multiply, but it has
 * `i64x2.extmul_low_i32x4_u` / `extmul_high_i32x4_u`: the exact u64 products of lanes 0-1 and 2-3.
 * One shuffle picks the four high halves out of those two vectors; the low halves are the ordinary
 * wrapping `i32x4.mul`. So a round is 2 x (2 extmuls + 1 shuffle + 1 mul) + 4 xors for four blocks,
 * against the 16-bit-halves emulation WGSL needs. The four result vectors are then transposed
 * (4x4 words, 8 shuffles) into element order and stored as 16 consecutive words. A draw's last
 * partial group of blocks takes the scalar path: Philox with an i64 multiply, one block at a time.
 *
 * Numerics: uniforms are `low + scale * ((x >>> 8) * 2^-24)` in f32, one rounding per operation,
 * exactly as the CPU twin rounds them (Math.fround step by step): wasm has no fused multiply-add
 * (Node has no relaxed SIMD), so the uniforms are bit-identical. Integers are
 * `low + mulhi(x, range)`, exact. Normals are computed in f64 from the same two words, with the
 * same formula and order as the CPU twin (which works in JS doubles): u1 = ((x0 >>> 8) + 1) * 2^-24,
 * t = (x1 >>> 8) * 2^-23 - 1, r = sqrt(-2 ln u1), theta = pi t, then mean + std * (r cos theta)
 * rounded once to f32. The only difference from the CPU is the f64 log/cos/sin (AssemblyScript's
 * musl-derived Math here, V8's fdlibm-derived one there; both within 1 f64 ULP), so a value can
 * differ from the CPU's only when its f64 lands within an ULP or so of an f32 rounding boundary,
 * and then by one f32 ULP: almost every element is bit-identical.
 *
 * Threads: the blocks are cut into nthreads ranges aligned to 4 blocks; each element's value
 * depends only on its index, so 1 and N threads give the same bits.
 *
 * Bounds: a thread writes only elements [4 * firstBlock, min(n, 4 * endBlock)); the launcher
 * checks shapes, dtypes and ranges.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at } from '../shared/strided';
import { R0, R1, R2, R3, drawBlockS, drawBlocksV, mulhiV, philoxS, philoxV, transpose4 } from './philox';

const TWO_M24: f32 = 5.9604644775390625e-8;
const TWO_M24_D: f64 = 5.9604644775390625e-8;

// Draw kinds (keep in step with WASM_DRAW_KINDS in @saddle/ops's random.ts).
const BITS = 0, UNIFORM = 1, NORMAL = 2, INT = 3;

// ---- the transforms: four words (one block) to four outputs ----

@inline
function uniformV(w: v128, low: v128, scale: v128): v128 {
  const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(w, 8)), f32x4.splat(TWO_M24));
  return f32x4.add(low, f32x4.mul(scale, u));
}

@inline
function intV(w: v128, low: v128, range: v128): v128 {
  return i32x4.add(low, mulhiV(w, range));
}

/** Box-Muller of words (x0, x1) into elements i and i + 1 (if below n), in f64 as the CPU twin computes it. */
@inline
function normalPair(x0: u32, x1: u32, mean: f64, std: f64, out: usize, i: i32, n: i32): void {
  const u1 = <f64>((x0 >>> 8) + 1) * TWO_M24_D;
  const t = <f64>(x1 >>> 8) * (2 * TWO_M24_D) - 1;
  const r = Math.sqrt(-2 * Math.log(u1));
  const theta = Math.PI * t;
  store<f32>(at(out, i), <f32>(mean + std * (r * Math.cos(theta))));
  if (i + 1 < n) store<f32>(at(out, i + 1), <f32>(mean + std * (r * Math.sin(theta))));
}

/** Writes the outputs of one block (words w) at elements i .. min(i + 4, n). */
@inline
function emitBlock(kind: i32, w: v128, out: usize, i: i32, n: i32, a: f64, b: f64): void {
  if (kind == NORMAL) {
    normalPair(i32x4.extract_lane(w, 0), i32x4.extract_lane(w, 1), a, b, out, i, n);
    if (i + 2 < n) normalPair(i32x4.extract_lane(w, 2), i32x4.extract_lane(w, 3), a, b, out, i + 2, n);
    return;
  }
  let v = w;
  if (kind == UNIFORM) v = uniformV(w, f32x4.splat(<f32>a), f32x4.splat(<f32>b));
  else if (kind == INT) v = intV(w, i32x4.splat(<i32>a), i32x4.splat(<u32>b));
  if (i + 4 <= n) {
    v128.store(at(out, i), v);
  } else {
    // The draw's last, partial block.
    store<i32>(at(out, i), i32x4.extract_lane(v, 0));
    if (i + 1 < n) store<i32>(at(out, i + 1), i32x4.extract_lane(v, 1));
    if (i + 2 < n) store<i32>(at(out, i + 2), i32x4.extract_lane(v, 2));
  }
}

@inline
function drawAll(kind: i32, n: i32, out: usize, k0: u32, k1: u32, offLo: u32, offHi: u32, a: f64, b: f64, tid: i32, nthreads: i32): void {
  const blocks = (n + 3) >> 2;
  const end = shareEnd(blocks, tid, nthreads, 4);
  let blk = shareStart(blocks, tid, nthreads, 4);
  for (; blk + 4 <= end; blk += 4) {
    drawBlocksV(blk, offLo, offHi, k0, k1);
    const i = blk << 2;
    emitBlock(kind, R0, out, i, n, a, b);
    emitBlock(kind, R1, out, i + 4, n, a, b);
    emitBlock(kind, R2, out, i + 8, n, a, b);
    emitBlock(kind, R3, out, i + 12, n, a, b);
  }
  for (; blk < end; blk++) emitBlock(kind, drawBlockS(blk, offLo, offHi, k0, k1), out, blk << 2, n, a, b);
}

/**
 * A draw of n elements into `out` (4-byte elements): kind 0 raw u32 words, 1 f32 uniforms
 * `a + b * u`, 2 f32 normals `a + b * z`, 3 i32 integers `a + mulhi(x, b)`. The stream is key
 * (k0, k1) and first counter block (offLo, offHi).
 */
export function randomDraw(kind: i32, n: i32, out: usize, k0: u32, k1: u32, offLo: u32, offHi: u32, a: f64, b: f64, tid: i32, nthreads: i32): void {
  // One inlined walker per kind, so the kind is resolved once per call, not per block.
  switch (kind) {
    case BITS: drawAll(BITS, n, out, k0, k1, offLo, offHi, a, b, tid, nthreads); break;
    case UNIFORM: drawAll(UNIFORM, n, out, k0, k1, offLo, offHi, a, b, tid, nthreads); break;
    case NORMAL: drawAll(NORMAL, n, out, k0, k1, offLo, offHi, a, b, tid, nthreads); break;
    case INT: drawAll(INT, n, out, k0, k1, offLo, offHi, a, b, tid, nthreads); break;
    default: unreachable();
  }
}

/**
 * Philox of caller-given counters: `counters` holds 4 u32 words per block (least significant
 * first), `out` receives the 4 words of each block. Four blocks at a time: load 16 words,
 * transpose to SoA, ten rounds, transpose back, store.
 */
export function philoxBlocks(blocks: i32, counters: usize, out: usize, k0: u32, k1: u32, tid: i32, nthreads: i32): void {
  const end = shareEnd(blocks, tid, nthreads, 4);
  let blk = shareStart(blocks, tid, nthreads, 4);
  for (; blk + 4 <= end; blk += 4) {
    const p = at(counters, blk << 2);
    R0 = v128.load(p);
    R1 = v128.load(p, 16);
    R2 = v128.load(p, 32);
    R3 = v128.load(p, 48);
    transpose4();
    philoxV(R0, R1, R2, R3, k0, k1);
    transpose4();
    const o = at(out, blk << 2);
    v128.store(o, R0);
    v128.store(o, R1, 16);
    v128.store(o, R2, 32);
    v128.store(o, R3, 48);
  }
  for (; blk < end; blk++) {
    const p = at(counters, blk << 2);
    v128.store(at(out, blk << 2), philoxS(load<u32>(p), load<u32>(p, 4), load<u32>(p, 8), load<u32>(p, 12), k0, k1));
  }
}
