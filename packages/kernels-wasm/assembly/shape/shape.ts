/**
 * The strided copy behind concat and copyInto (the twin of kernels-wgsl/src/shape/shape.wgsl.ts):
 * for each flat index i of `shape`, dst[strided(i)] = src[strided(i)], moving 32-bit words
 * whatever the dtype (a copy need not know what the bits mean).
 *
 * Blocking: none; a copy is pure memory traffic (4 bytes read, 4 written per element). Rows (the
 * last dim, after the launcher merged the dims both sides walk contiguously) are the unit: a row
 * whose source and destination strides are both 1 moves as v128 (16 bytes, four words at a
 * time); a broadcast source row (stride 0) is splatted; any other stride moves word by word.
 *
 * Threads: the flat range of elements is cut into nthreads near-equal 16-aligned ranges; each
 * element is written by exactly one thread, and a copy is exact, so thread counts agree bit for bit.
 * Bounds: the launcher checks shapes and that dst has no stride-0 dim (no two writers per address).
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at, dim, rowOffset } from '../shared/strided';

/** dims = [shape(rank), srcStrides(rank), dstStrides(rank)]; src and dst point at element 0 of each view. */
export function copyStrided(n: i32, src: usize, dst: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
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
