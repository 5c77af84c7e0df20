import type { Tensor, TypedArray } from '@saddle/tensor';
import type { RandomKind } from './random.wgsl.js';

/**
 * CPU twin of the Philox4x32-10 counter-based generator (Salmon, Moraes, Dror & Shaw, "Parallel
 * random numbers: as easy as 1, 2, 3", SC 2011) and of the transforms the random kernels apply to
 * its words. Everything here is exact 32-bit integer arithmetic in JS doubles, so the words are
 * bit-identical to the WGSL kernel's.
 */

/** Philox's round multipliers and Weyl key increments (Random123's PHILOX_M4x32_* / PHILOX_W32_*). */
export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;
export const PHILOX_ROUNDS = 10;

/**
 * The high 32 bits of the 64-bit product of two u32s. A double holds 53 bits, so the product is
 * split into 16-bit halves: every partial product is below 2^32 and every sum below 2^34.
 */
export function mulhi32(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Philox4x32-10 of one 128-bit counter under one 64-bit key; writes the 4 words into `out[at..at+3]`. */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array | number[] = new Uint32Array(4),
  at = 0,
): Uint32Array | number[] {
  for (let r = 0; r < PHILOX_ROUNDS; r++) {
    if (r > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(PHILOX_M0, c0);
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, c2);
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[at] = c0;
  out[at + 1] = c1;
  out[at + 2] = c2;
  out[at + 3] = c3;
  return out;
}

/** Where a draw reads its words: key (seed lo, seed hi) and the first counter block (lo, hi words). */
export interface Stream {
  key: readonly [number, number];
  offset: readonly [number, number];
}

/**
 * Calls `f(i, block)` for each counter block i of a draw of `n` elements: block i is Philox of
 * counter (offset + i, 0, 0) as a 128-bit number, and feeds elements 4i .. 4i+3.
 */
export function forEachBlock(n: number, s: Stream, f: (b: number, w: Uint32Array) => void): void {
  const w = new Uint32Array(4);
  const blocks = Math.ceil(n / 4);
  const [lo, hi] = s.offset;
  for (let b = 0; b < blocks; b++) {
    const c0 = lo + b;
    philox4x32(c0 >>> 0, (hi + (c0 >= 0x100000000 ? 1 : 0)) >>> 0, 0, 0, s.key[0], s.key[1], w);
    f(b, w);
  }
}

/** 2^-24: a u32's top 24 bits times this is a float in [0, 1) that f32 holds exactly. */
export const TWO_M24 = 1 / 16777216;

/** The raw words: element i is word i % 4 of block floor(i / 4). */
export function randomBitsCpu(s: Stream, out: TypedArray): void {
  const n = out.length;
  forEachBlock(n, s, (b, w) => {
    for (let j = 0; j < 4 && 4 * b + j < n; j++) out[4 * b + j] = w[j]!;
  });
}

/**
 * Uniform floats: `low + scale * u` with `u = (x >>> 8) * 2^-24`. For an f32 output the arithmetic
 * is rounded to f32 step by step, as the kernel does it, so the default [0, 1) draw is bit-identical.
 */
export function uniformCpu(s: Stream, low: number, scale: number, out: TypedArray): void {
  const n = out.length;
  const f32 = out instanceof Float32Array;
  const lo = f32 ? Math.fround(low) : low;
  const sc = f32 ? Math.fround(scale) : scale;
  forEachBlock(n, s, (b, w) => {
    for (let j = 0; j < 4 && 4 * b + j < n; j++) {
      const u = (w[j]! >>> 8) * TWO_M24;
      out[4 * b + j] = f32 ? Math.fround(lo + Math.fround(sc * u)) : lo + sc * u;
    }
  });
}

/**
 * Normal floats by Box-Muller on the word pairs (0, 1) and (2, 3) of each block:
 * `u1 = ((x0 >>> 8) + 1) * 2^-24` in (0, 1] (never log 0), `w = (x1 >>> 8) * 2^-23 - 1` in [-1, 1),
 * `r = sqrt(-2 ln u1)`, `theta = pi * w`; the even element gets `r cos theta`, the odd one `r sin theta`.
 */
export function normalCpu(s: Stream, mean: number, std: number, out: TypedArray): void {
  const n = out.length;
  forEachBlock(n, s, (b, w) => {
    for (let pair = 0; pair < 2; pair++) {
      const i = 4 * b + 2 * pair;
      if (i >= n) break;
      const u1 = ((w[2 * pair]! >>> 8) + 1) * TWO_M24;
      const t = (w[2 * pair + 1]! >>> 8) * (2 * TWO_M24) - 1;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = Math.PI * t;
      out[i] = mean + std * (r * Math.cos(theta));
      if (i + 1 < n) out[i + 1] = mean + std * (r * Math.sin(theta));
    }
  });
}

/** Integers in [low, low + range): `low + mulhi(x, range)`, range <= 2^32 - 1 (bias below range / 2^32). */
export function randintCpu(s: Stream, low: number, range: number, out: TypedArray): void {
  const n = out.length;
  forEachBlock(n, s, (b, w) => {
    for (let j = 0; j < 4 && 4 * b + j < n; j++) out[4 * b + j] = low + mulhi32(w[j]!, range);
  });
}

/** Philox of arbitrary counters: `counters` holds 4 words per block, `out` receives 4 per block. */
export function philoxCpu(counters: ArrayLike<number>, key: readonly [number, number], out: TypedArray): void {
  const w = new Uint32Array(4);
  for (let b = 0; b < counters.length / 4; b++) {
    philox4x32(counters[4 * b]! >>> 0, counters[4 * b + 1]! >>> 0, counters[4 * b + 2]! >>> 0, counters[4 * b + 3]! >>> 0, key[0], key[1], w);
    for (let j = 0; j < 4; j++) out[4 * b + j] = w[j]!;
  }
}

/** The CPU twin of each draw, taking the draw's two numbers (a, b) as the kernels do. */
const DRAWS_CPU: Record<RandomKind, (s: Stream, a: number, b: number, out: TypedArray) => void> = {
  bits: (s, _a, _b, out) => randomBitsCpu(s, out),
  uniform: (s, low, scale, out) => uniformCpu(s, low, scale, out),
  normal: (s, mean, std, out) => normalCpu(s, mean, std, out),
  int: (s, low, range, out) => randintCpu(s, low, range, out),
};

/** The draws' CPU entry: the twin of `kind` into `out`'s array (a, b: low and scale, mean and std, low and range). */
export function randomOnCpu(_op: string, kind: RandomKind, stream: Stream, a: number, b: number, out: Tensor): void {
  DRAWS_CPU[kind](stream, a, b, out.storage.data!);
}

/** philox's CPU entry: the twin on the counters' array. */
export function philoxOnCpu(_op: string, counters: Tensor, key: readonly [number, number], out: Tensor): void {
  philoxCpu(counters.storage.data!, key, out.storage.data!);
}
