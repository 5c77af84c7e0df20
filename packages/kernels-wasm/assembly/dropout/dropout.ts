/**
 * Inverted dropout: the mask alone (dropoutMask), or out = x * mask and the mask in one pass
 * (dropoutApply), drawn from the Philox stream of ../random (the twin of
 * packages/ops/src/dropout).
 *
 * The test: element i (word i % 4 of counter block floor(i / 4)) is kept when
 * `(x >>> 8) < threshold`, threshold = ceil(keep * 2^24), computed by the launcher: an integer
 * comparison, so every device keeps the same elements (it is `u < keep` for the uniform u that
 * `rand` draws from the same stream). Kept elements get `scale` (= f32(1 / keep)) in the mask and
 * `x * scale` (one f32 rounding, as on the CPU and WebGPU) in out; dropped ones get 0 by a bit
 * mask, not a multiply, so a non-finite x does not leak NaN through a dropped unit.
 *
 * SIMD layout: four counter blocks (16 elements) per step, as in ../random: Philox on four blocks
 * in i32x4 lanes, transposed to element order, then per block one unsigned compare gives the keep
 * mask of four elements, and `v128.and` selects scale (mask) and x * scale (out).
 *
 * Memory traffic: the mask alone writes 4 bytes per element and reads nothing; the fused variant
 * reads x once and writes out and mask (12 bytes per element). Philox costs about 25 SIMD
 * instructions per element group of 4, so the mask kernel is about as much ALU as store.
 * x is read through strides (dims = [shape, strides], merged by the launcher): a dense x takes the
 * f32x4 loads, a view gathers element by element.
 *
 * Threads: the blocks are cut into nthreads ranges aligned to 4 blocks; an element's mask depends
 * only on its index, so 1 and N threads give the same bits.
 *
 * Bounds: a thread writes only the elements of its blocks below n.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at, dim, unravelOffset } from '../shared/strided';
import { R0, R1, R2, R3, drawBlockS, drawBlocksV } from '../random/philox';

@inline
function xOffset(i: i32, rank: i32, dims: usize, dense: bool): i32 {
  return dense ? i : unravelOffset(i, rank, dims, 0, rank);
}

/** The four elements i .. i+3 of x: one load when dense, else four strided gathers. */
@inline
function loadX(x: usize, i: i32, n: i32, rank: i32, dims: usize, dense: bool): v128 {
  if (dense && i + 4 <= n) return v128.load(at(x, i));
  // (Lane indices must be constants: one line per lane.)
  let v = f32x4.splat(0);
  v = v128.load32_lane(at(x, xOffset(i, rank, dims, dense)), v, 0);
  if (i + 1 < n) v = v128.load32_lane(at(x, xOffset(i + 1, rank, dims, dense)), v, 1);
  if (i + 2 < n) v = v128.load32_lane(at(x, xOffset(i + 2, rank, dims, dense)), v, 2);
  if (i + 3 < n) v = v128.load32_lane(at(x, xOffset(i + 3, rank, dims, dense)), v, 3);
  return v;
}

/** Stores the lanes of v at elements i .. min(i + 4, n). */
@inline
function storeTail(p: usize, i: i32, n: i32, v: v128): void {
  if (i + 4 <= n) {
    v128.store(at(p, i), v);
    return;
  }
  v128.store32_lane(at(p, i), v, 0);
  if (i + 1 < n) v128.store32_lane(at(p, i + 1), v, 1);
  if (i + 2 < n) v128.store32_lane(at(p, i + 2), v, 2);
}

/** The masks (and outputs) of one block of four elements i .. i+3, from its Philox words w. */
@inline
function dropBlock(w: v128, i: i32, n: i32, threshold: v128, scale: v128, x: usize, out: usize, mask: usize, rank: i32, dims: usize, withInput: bool, dense: bool): void {
  const kept = i32x4.lt_u(i32x4.shr_u(w, 8), threshold);
  storeTail(mask, i, n, v128.and(scale, kept));
  if (withInput) storeTail(out, i, n, v128.and(f32x4.mul(loadX(x, i, n, rank, dims, dense), scale), kept));
}

/**
 * Dropout of blocks [firstBlock, endBlock) of an n-element draw. When `withInput`, reads x and writes
 * out; always writes mask. x may be out itself (in place: each element is read before it is written).
 */
@inline
export function dropoutBlocks(
  firstBlock: i32, endBlock: i32, n: i32, k0: u32, k1: u32, offLo: u32, offHi: u32, threshold: u32, scale: f32,
  x: usize, out: usize, mask: usize, rank: i32, dims: usize, withInput: bool, dense: bool,
): void {
  const thr = i32x4.splat(threshold);
  const sc = f32x4.splat(scale);
  let blk = firstBlock;
  for (; blk + 4 <= endBlock; blk += 4) {
    drawBlocksV(blk, offLo, offHi, k0, k1);
    const i = blk << 2;
    dropBlock(R0, i, n, thr, sc, x, out, mask, rank, dims, withInput, dense);
    dropBlock(R1, i + 4, n, thr, sc, x, out, mask, rank, dims, withInput, dense);
    dropBlock(R2, i + 8, n, thr, sc, x, out, mask, rank, dims, withInput, dense);
    dropBlock(R3, i + 12, n, thr, sc, x, out, mask, rank, dims, withInput, dense);
  }
  for (; blk < endBlock; blk++) {
    dropBlock(drawBlockS(blk, offLo, offHi, k0, k1), blk << 2, n, thr, sc, x, out, mask, rank, dims, withInput, dense);
  }
}

/** mask[i] = kept(i) ? scale : 0 for i < n (f32). */
export function dropoutMask(n: i32, mask: usize, k0: u32, k1: u32, offLo: u32, offHi: u32, threshold: u32, scale: f32, tid: i32, nthreads: i32): void {
  const blocks = (n + 3) >> 2;
  const first = shareStart(blocks, tid, nthreads, 4);
  const end = shareEnd(blocks, tid, nthreads, 4);
  dropoutBlocks(first, end, n, k0, k1, offLo, offHi, threshold, scale, 0, 0, mask, 0, 0, false, true);
}

/**
 * out[i] = kept(i) ? x[strided(i)] * scale : 0 and mask[i] = kept(i) ? scale : 0 (f32);
 * dims = [shape(rank), xStrides(rank)]; a dense x arrives as rank 1, stride 1.
 */
export function dropoutApply(
  n: i32, x: usize, out: usize, mask: usize, k0: u32, k1: u32, offLo: u32, offHi: u32, threshold: u32, scale: f32,
  rank: i32, dims: usize, tid: i32, nthreads: i32,
): void {
  const blocks = (n + 3) >> 2;
  const first = shareStart(blocks, tid, nthreads, 4);
  const end = shareEnd(blocks, tid, nthreads, 4);
  if (rank == 1 && dim(dims, 1) == 1) dropoutBlocks(first, end, n, k0, k1, offLo, offHi, threshold, scale, x, out, mask, rank, dims, true, true);
  else dropoutBlocks(first, end, n, k0, k1, offLo, offHi, threshold, scale, x, out, mask, rank, dims, true, false);
}
