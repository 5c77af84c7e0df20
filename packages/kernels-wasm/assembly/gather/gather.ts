/**
 * gather(x, indices, axis) and its gradient scatterAdd; the twin of
 * packages/ops/src/gather. Both see their dense operands as [outer, len, inner] with the
 * indexed axis in the middle (len = the size along the axis, m = the number of indices):
 *
 *   gather:      out[o, j, :] = x[o, indices[j], :]                 out is [outer, m, inner]
 *   scatterAdd:  out[o, r, :] = sum over j with indices[j] = r of src[o, j, :]   [outer, len, inner]
 *
 * Blocking: the unit of work is a row of `inner` contiguous elements. gather copies one row per
 * (o, j) with memory.copy (wasm's bulk copy: the engine's memmove). scatterAdd owns its output
 * rows: for row (o, r) it scans the m indices and adds each matching source row into it with
 * f32x4 adds (scalar for the inner % 4 tail), so no two threads ever add into the same element
 * and no atomics are needed. That is m index reads per output row: cheap for a minibatch.
 *
 * Threads: gather cuts the outer * m rows, scatterAdd the outer * len rows, into nthreads ranges
 * (alignment 1). scatterAdd sums each element in index order (j ascending), the order of the CPU
 * twin, whatever the split: 1 and N threads agree bit for bit, and with the f32 twin too.
 *
 * Bounds: the launcher checks every index against [0, len) before the call (the CPU twin's
 * error), so a row read or written is always inside its tensor.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';

/** out row (o, j) = x row (o, indices[j]); rows of `inner` 4-byte elements (any 4-byte dtype). */
export function gather32(outer: i32, len: i32, inner: i32, m: i32, x: usize, indices: usize, out: usize, tid: i32, nthreads: i32): void {
  const rows = outer * m;
  const start = shareStart(rows, tid, nthreads, 1);
  const end = shareEnd(rows, tid, nthreads, 1);
  const bytes = (<usize>inner) << 2;
  for (let t = start; t < end; t++) {
    const o = t / m;
    const j = t - o * m;
    const r = load<i32>(indices + ((<usize>j) << 2));
    memory.copy(out + <usize>t * bytes, x + (<usize>(o * len + r)) * bytes, bytes);
  }
}

/** out row (o, r) = the sum, in index order, of the src rows (o, j) with indices[j] = r; zeros if none. */
export function scatterAddF32(outer: i32, len: i32, inner: i32, m: i32, src: usize, indices: usize, out: usize, tid: i32, nthreads: i32): void {
  const rows = outer * len;
  const start = shareStart(rows, tid, nthreads, 1);
  const end = shareEnd(rows, tid, nthreads, 1);
  const bytes = (<usize>inner) << 2;
  const body = inner & ~3;
  for (let t = start; t < end; t++) {
    const o = t / len;
    const r = t - o * len;
    const dst = out + <usize>t * bytes;
    memory.fill(dst, 0, bytes);
    for (let j = 0; j < m; j++) {
      if (load<i32>(indices + ((<usize>j) << 2)) != r) continue;
      const from = src + (<usize>(o * m + j)) * bytes;
      let i = 0;
      for (; i < body; i += 4) {
        const at = (<usize>i) << 2;
        v128.store(dst + at, f32x4.add(v128.load(dst + at), v128.load(from + at)));
      }
      for (; i < inner; i++) {
        const at = (<usize>i) << 2;
        store<f32>(dst + at, load<f32>(dst + at) + load<f32>(from + at));
      }
    }
  }
}
