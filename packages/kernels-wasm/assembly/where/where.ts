/**
 * where(cond, a, b): a where cond is nonzero, b elsewhere, all three broadcast to the output's
 * shape (NumPy's where); the twin of packages/ops/src/where.
 *
 * Blocking: none; one read of each operand and one write per element (memory bound).
 *
 * SIMD layout: the output's flat range is walked row by row (shared/strided.ts: rowOffset once per
 * row). A row whose operands all have stride 0 or 1 along it selects four elements at a time:
 * the mask is cond != 0 on four lanes (f32x4.ne for a float cond: -0 counts as zero and NaN as
 * nonzero, as the twin's `!== 0`; i32x4.ne for integers), then v128.bitselect(a, b, mask). The
 * select moves bits, so one kernel serves every 4-byte dtype of a and b. Other strides (a
 * transposed view) and the row's last len % 4 elements take a scalar loop.
 *
 * Threads: the flat range is cut into nthreads 16-aligned ranges; each element is a select of the
 * same bits whatever the split, so 1 and N threads agree bit for bit.
 *
 * Bounds: a thread writes out[start, end) and reads the operand elements those map to; the
 * launcher checks shapes (broadcast), dtypes and the rank before the call.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at, dim, rowOffset } from '../shared/strided';

@inline
function lanes(p: usize, stride: i32): v128 {
  return stride == 0 ? v128.load32_splat(p) : v128.load(p);
}

@inline
function run(condFloat: i32, pc: usize, cs: i32, pa: usize, as: i32, pb: usize, bs: i32, out: usize, len: i32): void {
  let j = 0;
  if ((cs | as | bs) >= 0 && cs <= 1 && as <= 1 && bs <= 1) {
    for (; j + 4 <= len; j += 4) {
      const c = lanes(at(pc, j * cs), cs);
      const mask = condFloat ? f32x4.ne(c, f32x4.splat(0)) : i32x4.ne(c, i32x4.splat(0));
      v128.store(at(out, j), v128.bitselect(lanes(at(pa, j * as), as), lanes(at(pb, j * bs), bs), mask));
    }
  }
  for (; j < len; j++) {
    const nonzero = condFloat ? load<f32>(at(pc, j * cs)) != 0 : load<i32>(at(pc, j * cs)) != 0;
    store<i32>(at(out, j), nonzero ? load<i32>(at(pa, j * as)) : load<i32>(at(pb, j * bs)));
  }
}

/**
 * out[i] = cond[i] != 0 ? a[i] : b[i] over n output elements; dims holds the shape, then cond's,
 * a's and b's strides (rank entries each, 0 on broadcast dims). condFloat: cond is f32.
 */
export function whereSelect(condFloat: i32, n: i32, c: usize, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid: i32, nthreads: i32): void {
  const end = shareEnd(n, tid, nthreads);
  let i = shareStart(n, tid, nthreads);
  const cols = dim(dims, rank - 1);
  const cs = dim(dims, 2 * rank - 1);
  const as = dim(dims, 3 * rank - 1);
  const bs = dim(dims, 4 * rank - 1);
  while (i < end) {
    const row = i / cols;
    const col = i - row * cols;
    const len = min(cols - col, end - i);
    const pc = at(c, rowOffset(row, rank, dims, rank) + col * cs);
    const pa = at(a, rowOffset(row, rank, dims, 2 * rank) + col * as);
    const pb = at(b, rowOffset(row, rank, dims, 3 * rank) + col * bs);
    if (condFloat) run(1, pc, cs, pa, as, pb, bs, at(out, i), len);
    else run(0, pc, cs, pa, as, pb, bs, at(out, i), len);
    i += len;
  }
}
