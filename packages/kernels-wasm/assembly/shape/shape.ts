/**
 * The strided copy behind concat, copyInto and contiguous (the twin of
 * ops/src/shape/shape.wgsl.ts):
 * for each flat index i of `shape`, dst[strided(i)] = src[strided(i)], moving 32-bit words
 * whatever the dtype (a copy need not know what the bits mean).
 *
 * Blocking: a copy is pure memory traffic (4 bytes read, 4 written per element). Rows (the
 * last dim, after the launcher merged the dims both sides walk contiguously) are the unit: a row
 * whose source and destination strides are both 1 moves as v128 (16 bytes, four words at a
 * time); a broadcast source row (stride 0) is splatted; any other stride moves word by word,
 * except the transpose layout, which has its own tiled path (copyTransposed below).
 *
 * Threads: the flat range of elements is cut into nthreads near-equal 16-aligned ranges; each
 * element is written by exactly one thread, and a copy is exact, so thread counts agree bit for bit.
 * Bounds: the launcher checks shapes and that dst has no stride-0 dim (no two writers per address).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at, dim, rowOffset } from '../shared/strided';

/** Rows of the destination one unit of the transpose path covers, and the side of its tiles (64x64 f32: 16 KiB a side, in L1). */
const TILE: i32 = 64;

/**
 * A 4x4 block: src rows (lanes = 4 destination rows) a, b, c, d become 4 destination rows, stored
 * at dst, dst + rowBytes, ... (two rounds of shuffles: the classic 4x4 transpose).
 */
@inline
function transpose4(a: v128, b: v128, c: v128, d: v128, dst: usize, rowBytes: usize): void {
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + rowBytes, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * rowBytes, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * rowBytes, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * The transpose path: the destination walks its last dim contiguously (dst stride 1) while the
 * source is contiguous along the destination's second-to-last dim (src stride 1 there), as in
 * contiguous(transpose(x)). Element by element one side would be read or written a whole row
 * apart each step (0.5 GB/s at 2048^2). Instead a unit takes a strip of 64 destination rows of
 * one matrix and moves it in 64x64 tiles (256 bytes per tile row on both sides: whole cache
 * lines, and each source page visited once per tile rather than once per row), each as
 * 4x4 blocks: four v128 loads along the source's contiguous dim, a shuffle transpose, four v128
 * stores. Edges that do not fill a 4x4 block move element by element.
 */
function copyTransposed(src: usize, dst: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  const rows = dim(dims, rank - 2);
  const cols = dim(dims, rank - 1);
  const sc = dim(dims, 2 * rank - 1); // source stride along the destination's columns
  const dr = dim(dims, 3 * rank - 2); // destination stride between rows
  let outer = 1;
  for (let d = 0; d < rank - 2; d++) outer *= dim(dims, d);
  const strips = (rows + TILE - 1) / TILE;
  const units = outer * strips;
  const end = shareEnd(units, tid, nthreads, 1);
  for (let u = shareStart(units, tid, nthreads, 1); u < end; u++) {
    const o = u / strips;
    const r0 = (u - o * strips) * TILE;
    const r1 = min(rows, r0 + TILE);
    // Matrix o starts at row o * rows of the flat row index (every dim but the last).
    const ps = at(src, rowOffset(o * rows, rank, dims, rank));
    const pd = at(dst, rowOffset(o * rows, rank, dims, 2 * rank));
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = min(cols, c0 + TILE);
      let r = r0;
      for (; r + 4 <= r1; r += 4) {
        let c = c0;
        for (; c + 4 <= c1; c += 4) {
          const s = at(ps, r + c * sc);
          const step = <usize>sc << 2;
          transpose4(v128.load(s), v128.load(s + step), v128.load(s + 2 * step), v128.load(s + 3 * step), at(pd, r * dr + c), <usize>dr << 2);
        }
        for (; c < c1; c++) for (let k = r; k < r + 4; k++) store<u32>(at(pd, k * dr + c), load<u32>(at(ps, k + c * sc)));
      }
      for (; r < r1; r++) for (let c = c0; c < c1; c++) store<u32>(at(pd, r * dr + c), load<u32>(at(ps, r + c * sc)));
    }
  }
}

/**
 * dims = [shape(rank), srcStrides(rank), dstStrides(rank)]; src and dst point at element 0 of each
 * view. The launcher passes `transposed` = 1 when the transpose path applies (rank >= 2, dst stride
 * 1 on the last dim, src stride 1 on the one before it).
 */
export function copyStrided(n: i32, src: usize, dst: usize, rank: i32, dims: usize, transposed: i32, tid: i32, nthreads: i32): void {
  if (transposed != 0) {
    copyTransposed(src, dst, rank, dims, tid, nthreads);
    return;
  }
  const end = shareEnd(n, tid, nthreads);
  let i = shareStart(n, tid, nthreads);
  const cols = dim(dims, rank - 1);
  const ss = dim(dims, 2 * rank - 1);
  const ds = dim(dims, 3 * rank - 1);
  while (i < end) {
    const row = i / cols;
    const col = i - row * cols;
    const len = min(cols - col, end - i);
    const ps = at(src, rowOffset(row, rank, dims, rank) + col * ss);
    const pd = at(dst, rowOffset(row, rank, dims, 2 * rank) + col * ds);
    let j = 0;
    if (ds == 1 && ss == 1) {
      for (; j + 4 <= len; j += 4) v128.store(at(pd, j), v128.load(at(ps, j)));
    } else if (ds == 1 && ss == 0) {
      const v = v128.load32_splat(ps);
      for (; j + 4 <= len; j += 4) v128.store(at(pd, j), v);
    }
    for (; j < len; j++) store<u32>(at(pd, j * ds), load<u32>(at(ps, j * ss)));
    i += len;
  }
}
