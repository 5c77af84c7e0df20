/**
 * Reductions: sum (mean is a sum with `scale` = 1/n) and max / argmax, on f32, i32 and u32 (the
 * twin of packages/ops/src/reduce).
 *
 * Layout: the input is `m` independent reductions (rows) of `n` elements each. The launcher splits
 * every row into `chunks` pieces of `chunkLen` elements; a work unit is one (row, piece), and the
 * kernel writes one value (and, for argmax, one index) per unit, in a [m, chunks] array. When
 * chunks > 1 the launcher runs the kernel again on that array (contiguous now), until one piece
 * per row remains: the same two-pass plan as the WGSL kernel. Kept dims (which row) and reduced
 * dims (which element of it) are both read through strides, so views need no copy:
 * dims = [keptShape, keptStrides, redShape, redStrides] (merged by the launcher; rank >= 1 each).
 *
 * Blocking and SIMD: when the reduced elements are one contiguous run (redRank 1, stride 1: a sum
 * over the last axes, or over everything), a piece is 1024 elements folded into four f32x4
 * accumulators (16 lanes, 16 elements per step: four independent add chains hide the add
 * latency), each lane summing 64 elements in sequence; the lanes are then combined pairwise
 * (4 accumulators, then 4 lanes), and the last len % 16 elements are summed on the side. Any
 * other layout folds its elements one by one, in order, in pieces of 64 elements; when the
 * reduced elements are strided but neighbouring rows are adjacent (a sum over the batch axis of
 * [B, D]: the column path), 16 rows are folded at once as four f32x4 accumulators, each lane in
 * exactly the order of the one-by-one loop (same bits). Either way no f32 is the
 * sum of more than 64 terms in sequence at any level, so the rounding error stays within
 * (64 + a few tree levels per pass) * eps * sum|x|, the bound the WGSL kernel has too.
 * max/argmax keep a value and an index per lane (f32x4 + i32x4): the lane's candidate is replaced
 * where the new element is greater, or NaN while the candidate is not (NaN beats numbers, as in
 * NumPy); lanes see their elements in increasing index order, so a strict > keeps the first of
 * ties, and lanes are combined by (value, then lower index): argmax is the first maximum.
 *
 * Threads: the units (row, piece) are cut into nthreads near-equal ranges; a unit is always
 * computed by the same instructions whatever thread takes it, and the pieces do not depend on the
 * thread count, so 1 and N threads give the same bits.
 *
 * Bounds: a unit reads only the elements of its piece; the launcher checks axes, dtypes and the
 * empty cases (an empty max is an error; an empty sum is 0 and never reaches the kernel).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at, dim, unravelOffset } from '../shared/strided';

/** Pieces of a contiguous row: 16 lanes x 64 elements. */
export const CONTIGUOUS_PIECE: i32 = 1024;
/** Pieces of any other layout: 64 elements folded in sequence. */
export const STRIDED_PIECE: i32 = 64;

@inline
function addV<T>(a: v128, b: v128): v128 {
  return isFloat<T>() ? f32x4.add(a, b) : i32x4.add(a, b);
}

/** (l0 + l1) + (l2 + l3) of one accumulator. */
@inline
function lanesSum<T>(v: v128): T {
  if (isFloat<T>()) {
    return <T>((f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)));
  }
  return <T>((i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1)) + (i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3)));
}

/** Sum of len contiguous elements from p: four f32x4 accumulators, then the tail on the side. */
@inline
function sumContiguous<T>(p: usize, len: i32): T {
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    a0 = addV<T>(a0, v128.load(at(p, i)));
    a1 = addV<T>(a1, v128.load(at(p, i + 4)));
    a2 = addV<T>(a2, v128.load(at(p, i + 8)));
    a3 = addV<T>(a3, v128.load(at(p, i + 12)));
  }
  let tail: T = <T>0;
  for (; i < len; i++) tail += load<T>(at(p, i));
  return lanesSum<T>(addV<T>(addV<T>(a0, a1), addV<T>(a2, a3))) + tail;
}

/** Sum, in order, of the elements [r0, r1) of the reduced dims, from `base` (one element at a time). */
@inline
function sumInOrder<T>(base: usize, r0: i32, r1: i32, redRank: i32, dims: usize, redAt: i32, cols: i32, rs: i32): T {
  let acc: T = <T>0;
  let r = r0;
  while (r < r1) {
    const q = r / cols;
    const col = r - q * cols;
    const len = min(cols - col, r1 - r);
    const p = at(base, unravelOffset(q, redRank - 1, dims, redAt, redAt + redRank) + col * rs);
    for (let j = 0; j < len; j++) acc += load<T>(at(p, j * rs));
    r += len;
  }
  return acc;
}

@inline
function storeSum<T>(out: usize, u: i32, acc: T, scale: f32): void {
  if (isFloat<T>()) store<T>(at(out, u), <T>(<f32>acc * scale));
  else store<T>(at(out, u), acc);
}

/** Rows per unit of the column path: four f32x4 accumulators, one 64-byte line per reduced element. */
const COLUMN_GROUP: i32 = 16;

@inline
function reduceSum<T>(
  m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, out: usize, scale: f32,
  keptRank: i32, redRank: i32, dims: usize, tid: i32, nthreads: i32,
): void {
  const redAt = 2 * keptRank;
  const cols = dim(dims, redAt + redRank - 1);
  const rs = dim(dims, redAt + 2 * redRank - 1);
  const keptInner = dim(dims, keptRank - 1);
  const contiguous = redRank == 1 && rs == 1;
  if (contiguous || dim(dims, 2 * keptRank - 1) != 1) {
    // Row path: one unit = one piece of one row.
    const units = m * chunks;
    const end = shareEnd(units, tid, nthreads, 1);
    for (let u = shareStart(units, tid, nthreads, 1); u < end; u++) {
      const row = u / chunks;
      const c = u - row * chunks;
      const base = at(x, unravelOffset(row, keptRank, dims, 0, keptRank));
      const r0 = c * chunkLen;
      const r1 = min(n, r0 + chunkLen);
      const acc = contiguous ? sumContiguous<T>(at(base, r0), r1 - r0) : sumInOrder<T>(base, r0, r1, redRank, dims, redAt, cols, rs);
      storeSum<T>(out, u, acc, scale);
    }
    return;
  }
  // Column path: the reduced elements are strided but neighbouring rows are adjacent in memory
  // (a sum over the batch axis of [B, D]). One unit = one piece of 16 adjacent rows, summed as
  // four f32x4 accumulators: each lane adds its row's elements in the same order as the scalar
  // loop does, so both paths give the same bits.
  const groups = (m + COLUMN_GROUP - 1) / COLUMN_GROUP;
  const units = groups * chunks;
  const end = shareEnd(units, tid, nthreads, 1);
  for (let u = shareStart(units, tid, nthreads, 1); u < end; u++) {
    const g = u / chunks;
    const c = u - g * chunks;
    const row0 = g * COLUMN_GROUP;
    const r0 = c * chunkLen;
    const r1 = min(n, r0 + chunkLen);
    if (row0 + COLUMN_GROUP <= m && (row0 % keptInner) + COLUMN_GROUP <= keptInner) {
      const base = at(x, unravelOffset(row0, keptRank, dims, 0, keptRank));
      let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
      let r = r0;
      while (r < r1) {
        const q = r / cols;
        const col = r - q * cols;
        const len = min(cols - col, r1 - r);
        let p = at(base, unravelOffset(q, redRank - 1, dims, redAt, redAt + redRank) + col * rs);
        const step = <usize>rs << 2;
        for (let j = 0; j < len; j++, p += step) {
          a0 = addV<T>(a0, v128.load(p));
          a1 = addV<T>(a1, v128.load(p, 16));
          a2 = addV<T>(a2, v128.load(p, 32));
          a3 = addV<T>(a3, v128.load(p, 48));
        }
        r += len;
      }
      // Lane k of accumulator a holds row row0 + 4a + k; outputs are [m, chunks].
      const o = at(out, row0 * chunks + c);
      const stride = <usize>chunks << 2;
      storeLanes<T>(o, stride, a0, scale);
      storeLanes<T>(o + 4 * stride, stride, a1, scale);
      storeLanes<T>(o + 8 * stride, stride, a2, scale);
      storeLanes<T>(o + 12 * stride, stride, a3, scale);
    } else {
      const rowEnd = min(m, row0 + COLUMN_GROUP);
      for (let row = row0; row < rowEnd; row++) {
        const base = at(x, unravelOffset(row, keptRank, dims, 0, keptRank));
        storeSum<T>(out, row * chunks + c, sumInOrder<T>(base, r0, r1, redRank, dims, redAt, cols, rs), scale);
      }
    }
  }
}

/** Stores the four lanes of `v` (times scale, for floats) at p, p + stride, p + 2 stride, p + 3 stride. */
@inline
function storeLanes<T>(p: usize, stride: usize, v: v128, scale: f32): void {
  if (isFloat<T>()) {
    const w = f32x4.mul(v, f32x4.splat(scale));
    store<f32>(p, f32x4.extract_lane(w, 0));
    store<f32>(p + stride, f32x4.extract_lane(w, 1));
    store<f32>(p + 2 * stride, f32x4.extract_lane(w, 2));
    store<f32>(p + 3 * stride, f32x4.extract_lane(w, 3));
  } else {
    store<i32>(p, i32x4.extract_lane(v, 0));
    store<i32>(p + stride, i32x4.extract_lane(v, 1));
    store<i32>(p + 2 * stride, i32x4.extract_lane(v, 2));
    store<i32>(p + 3 * stride, i32x4.extract_lane(v, 3));
  }
}

/** Whether (va, ia) beats (vb, ib): NaN beats numbers, then the larger value, then the lower index. */
@inline
function better<T>(va: T, ia: i32, vb: T, ib: i32): bool {
  if (isFloat<T>()) {
    const na = isNaN(<f32>va);
    const nb = isNaN(<f32>vb);
    if (na != nb) return na;
    if (!na && va != vb) return va > vb;
    return ia < ib;
  }
  if (va != vb) return va > vb;
  return ia < ib;
}

/** Lanes where `v` replaces the candidate `best`: v > best, or v is NaN and best is not. */
@inline
function gtMask<T>(v: v128, best: v128): v128 {
  if (isFloat<T>()) return v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best)));
  return isSigned<T>() ? i32x4.gt_s(v, best) : i32x4.gt_u(v, best);
}

@inline
function laneValue<T>(v: v128, lane: i32): T {
  // extract_lane needs a constant lane: four cases.
  if (isFloat<T>()) {
    switch (lane) {
      case 0: return <T>f32x4.extract_lane(v, 0);
      case 1: return <T>f32x4.extract_lane(v, 1);
      case 2: return <T>f32x4.extract_lane(v, 2);
      default: return <T>f32x4.extract_lane(v, 3);
    }
  }
  switch (lane) {
    case 0: return <T>i32x4.extract_lane(v, 0);
    case 1: return <T>i32x4.extract_lane(v, 1);
    case 2: return <T>i32x4.extract_lane(v, 2);
    default: return <T>i32x4.extract_lane(v, 3);
  }
}

@inline
function laneIndex(v: v128, lane: i32): i32 {
  switch (lane) {
    case 0: return i32x4.extract_lane(v, 0);
    case 1: return i32x4.extract_lane(v, 1);
    case 2: return i32x4.extract_lane(v, 2);
    default: return i32x4.extract_lane(v, 3);
  }
}

@inline
function reduceMax<T>(
  m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, idxIn: usize, outV: usize, outI: usize,
  keptRank: i32, redRank: i32, dims: usize, tid: i32, nthreads: i32,
): void {
  const units = m * chunks;
  const end = shareEnd(units, tid, nthreads, 1);
  const redAt = 2 * keptRank;
  const cols = dim(dims, redAt + redRank - 1);
  const rs = dim(dims, redAt + 2 * redRank - 1);
  const contiguous = redRank == 1 && rs == 1;
  for (let u = shareStart(units, tid, nthreads, 1); u < end; u++) {
    const row = u / chunks;
    const c = u - row * chunks;
    const off = unravelOffset(row, keptRank, dims, 0, keptRank);
    const base = at(x, off);
    const r0 = c * chunkLen;
    const r1 = min(n, r0 + chunkLen);
    // The candidate of the scalar part: none yet (index -1).
    let best: T = <T>0;
    let bestI = -1;
    let r = r0;
    if (contiguous && idxIn == 0 && r1 - r0 >= 4) {
      // Four lanes, each its own candidate (value, index); lane k sees elements r0 + k, r0 + k + 4, ...
      let bv = v128.load(at(base, r0));
      let bi = i32x4.add(i32x4.splat(r0), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
      let idx = bi;
      const four = i32x4.splat(4);
      r = r0 + 4;
      for (; r + 4 <= r1; r += 4) {
        idx = i32x4.add(idx, four);
        const v = v128.load(at(base, r));
        const take = gtMask<T>(v, bv);
        bv = v128.bitselect(v, bv, take);
        bi = v128.bitselect(idx, bi, take);
      }
      for (let k = 0; k < 4; k++) {
        const v = laneValue<T>(bv, k);
        const i = laneIndex(bi, k);
        if (bestI < 0 || better<T>(v, i, best, bestI)) {
          best = v;
          bestI = i;
        }
      }
    }
    // The rest (or everything, for other layouts), run by run along the innermost reduced dim.
    while (r < r1) {
      const q = r / cols;
      const col = r - q * cols;
      const len = min(cols - col, r1 - r);
      const step = unravelOffset(q, redRank - 1, dims, redAt, redAt + redRank) + col * rs;
      for (let j = 0; j < len; j++) {
        const e = step + j * rs;
        const v = load<T>(at(base, e));
        const i = idxIn != 0 ? load<i32>(at(idxIn, off + e)) : r + j;
        if (bestI < 0 || better<T>(v, i, best, bestI)) {
          best = v;
          bestI = i;
        }
      }
      r += len;
    }
    if (outV != 0) store<T>(at(outV, u), best);
    if (outI != 0) store<i32>(at(outI, u), bestI);
  }
}

/**
 * out[u] = scale * (sum of piece u), for u = row * chunks + piece. x points at element 0 of the
 * view; dims = [keptShape, keptStrides, redShape, redStrides].
 */
export function reduceSumF32(m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, out: usize, scale: f32, keptRank: i32, redRank: i32, dims: usize, tid: i32, nthreads: i32): void {
  reduceSum<f32>(m, n, chunkLen, chunks, x, out, scale, keptRank, redRank, dims, tid, nthreads);
}
export function reduceSumI32(m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, out: usize, scale: f32, keptRank: i32, redRank: i32, dims: usize, tid: i32, nthreads: i32): void {
  reduceSum<i32>(m, n, chunkLen, chunks, x, out, scale, keptRank, redRank, dims, tid, nthreads);
}
export function reduceSumU32(m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, out: usize, scale: f32, keptRank: i32, redRank: i32, dims: usize, tid: i32, nthreads: i32): void {
  reduceSum<u32>(m, n, chunkLen, chunks, x, out, scale, keptRank, redRank, dims, tid, nthreads);
}

/**
 * The best (value, index) of piece u: outV[u] and outI[u] (either pointer may be 0: not written).
 * The index is the position in the row's reduced range, or, when idxIn is not 0 (a later pass over
 * partials), the index stored beside the value (idxIn is laid out like x).
 */
export function reduceMaxF32(m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, idxIn: usize, outV: usize, outI: usize, keptRank: i32, redRank: i32, dims: usize, tid: i32, nthreads: i32): void {
  reduceMax<f32>(m, n, chunkLen, chunks, x, idxIn, outV, outI, keptRank, redRank, dims, tid, nthreads);
}
export function reduceMaxI32(m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, idxIn: usize, outV: usize, outI: usize, keptRank: i32, redRank: i32, dims: usize, tid: i32, nthreads: i32): void {
  reduceMax<i32>(m, n, chunkLen, chunks, x, idxIn, outV, outI, keptRank, redRank, dims, tid, nthreads);
}
export function reduceMaxU32(m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, idxIn: usize, outV: usize, outI: usize, keptRank: i32, redRank: i32, dims: usize, tid: i32, nthreads: i32): void {
  reduceMax<u32>(m, n, chunkLen, chunks, x, idxIn, outV, outI, keptRank, redRank, dims, tid, nthreads);
}
