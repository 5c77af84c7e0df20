/**
 * Maxout (Goodfellow et al. 2013) forward with argmax, its backward scatter, and maxout fused with
 * inverted dropout of its output (the twin of packages/ops/src/maxout).
 *
 * Layout: x is [B, units * pieces] read through (rowStride, colStride), so a transposed view needs
 * no copy; unit u's pieces are the adjacent columns u*pieces .. u*pieces+pieces-1. out and argmax
 * (i32, the winning piece) are dense [B, units]; dx is dense [B, units * pieces].
 *
 * SIMD layout: four consecutive units of a row at once, one unit per lane. Piece k of the four
 * units sits at four addresses `pieces * colStride` apart, so a step gathers them with four
 * `v128.load32_lane` (one load per element, as scalar code has, but the compare and the two
 * selects are shared by four units), then keeps per lane the running max and its piece:
 * take = (best is not NaN) and (v is NaN or v > best); best, idx = bitselect(v, k; take). That is
 * the CPU twin's rule lane for lane: the first maximum on ties, the first NaN if any. The unit
 * loop is memory-bound (pieces * 4 bytes read, 8 written per unit); the last units % 4 units of
 * a row run the same rule in scalar code.
 * The backward pass reads dy (times the dropout mask, rounded to f32, when fused) and argmax for
 * four units, and writes each unit's `pieces` outputs: `dy` where argmax == k, else +0 (a bit
 * mask, so a NaN gradient does not leak into the other pieces).
 *
 * maxoutDropout: each thread computes the maxout of its outputs in pieces of 1024 (still in
 * cache), then applies ../dropout's block kernel to them in place: output i is kept by word i % 4
 * of Philox block floor(i / 4) of the stream, exactly as dropout(maxout(x)) draws it, so the two
 * agree bit for bit, on every device.
 *
 * Threads: the flat range of outputs (units over all rows) is cut into nthreads ranges aligned to
 * 16 outputs (4 Philox blocks); every output is computed by the same instructions whatever the
 * thread count, so 1 and N threads agree bit for bit.
 *
 * Bounds: a thread reads only its units' pieces and writes only its outputs (and their dx rows);
 * the launcher checks shapes, dtypes and that the columns divide into units.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at, gather4 } from '../shared/strided';
import { dropoutBlocks } from '../dropout/dropout';

/** Maxout of outputs [start, end) of the flat [rows, units] output. */
@inline
function maxoutRange(start: i32, end: i32, units: i32, pieces: i32, x: usize, rs: i32, cs: i32, out: usize, argmax: usize): void {
  const unitStep = <usize>(pieces * cs) << 2;
  const pieceStep = <usize>cs << 2;
  let i = start;
  while (i < end) {
    const row = i / units;
    let u = i - row * units;
    const rowEnd = min(end, i + units - u);
    const rowBase = at(x, row * rs);
    for (; i + 4 <= rowEnd; i += 4, u += 4) {
      let p = rowBase + <usize>u * unitStep;
      let best = gather4(p, unitStep);
      let idx = i32x4.splat(0);
      for (let k = 1; k < pieces; k++) {
        p += pieceStep;
        const v = gather4(p, unitStep);
        const take = v128.and(f32x4.eq(best, best), v128.or(f32x4.ne(v, v), f32x4.gt(v, best)));
        best = v128.bitselect(v, best, take);
        idx = v128.bitselect(i32x4.splat(k), idx, take);
      }
      v128.store(at(out, i), best);
      v128.store(at(argmax, i), idx);
    }
    for (; i < rowEnd; i++, u++) {
      let p = rowBase + <usize>u * unitStep;
      let best = load<f32>(p);
      let idx = 0;
      for (let k = 1; k < pieces; k++) {
        p += pieceStep;
        const v = load<f32>(p);
        if (best == best && (v != v || v > best)) {
          best = v;
          idx = k;
        }
      }
      store<f32>(at(out, i), best);
      store<i32>(at(argmax, i), idx);
    }
  }
}

/** out, argmax [rows, units] = max and first argmax over each unit's pieces of x (f32). */
export function maxoutForward(rows: i32, units: i32, pieces: i32, x: usize, rs: i32, cs: i32, out: usize, argmax: usize, tid: i32, nthreads: i32): void {
  const n = rows * units;
  maxoutRange(shareStart(n, tid, nthreads), shareEnd(n, tid, nthreads), units, pieces, x, rs, cs, out, argmax);
}

/** Outputs a maxoutDropout thread computes before it applies their dropout (4 KiB: in L1). */
const FUSED_PIECE: i32 = 1024;

/**
 * out = maxout(x) * mask, argmax, mask [rows, units] (f32), the mask drawn from the stream
 * (k0, k1, offLo, offHi) as ../dropout draws it for the output's shape.
 */
export function maxoutDropout(
  rows: i32, units: i32, pieces: i32, x: usize, rs: i32, cs: i32, out: usize, argmax: usize, mask: usize,
  k0: u32, k1: u32, offLo: u32, offHi: u32, threshold: u32, scale: f32, tid: i32, nthreads: i32,
): void {
  const n = rows * units;
  const end = shareEnd(n, tid, nthreads);
  for (let s = shareStart(n, tid, nthreads); s < end; s += FUSED_PIECE) {
    const e = min(end, s + FUSED_PIECE);
    maxoutRange(s, e, units, pieces, x, rs, cs, out, argmax);
    // s is a multiple of 16: whole Philox blocks; the last block of the draw may be partial.
    dropoutBlocks(s >> 2, (e + 3) >> 2, n, k0, k1, offLo, offHi, threshold, scale, out, out, mask, 1, 0, true, true);
  }
}

/**
 * dx [rows, units * pieces] = dy (times mask, when `mask` is not 0) at the argmax piece of each
 * unit, +0 elsewhere. dy, argmax and mask are read through (row, col) strides.
 */
export function maxoutBackward(
  rows: i32, units: i32, pieces: i32, dy: usize, dyRs: i32, dyCs: i32, argmax: usize, aRs: i32, aCs: i32,
  mask: usize, mRs: i32, mCs: i32, dx: usize, tid: i32, nthreads: i32,
): void {
  const n = rows * units;
  const end = shareEnd(n, tid, nthreads);
  let i = shareStart(n, tid, nthreads);
  const outStep = <usize>pieces << 2;
  while (i < end) {
    const row = i / units;
    let u = i - row * units;
    const rowEnd = min(end, i + units - u);
    const pdy = at(dy, row * dyRs);
    const pa = at(argmax, row * aRs);
    const pm = at(mask, row * mRs);
    for (; i + 4 <= rowEnd; i += 4, u += 4) {
      let g = gather4(at(pdy, u * dyCs), <usize>dyCs << 2);
      if (mask != 0) g = f32x4.mul(g, gather4(at(pm, u * mCs), <usize>mCs << 2));
      const a = gather4(at(pa, u * aCs), <usize>aCs << 2);
      const o = at(dx, i * pieces);
      for (let k = 0; k < pieces; k++) {
        const v = v128.and(g, i32x4.eq(a, i32x4.splat(k)));
        const q = o + (<usize>k << 2);
        v128.store32_lane(q, v, 0);
        v128.store32_lane(q + outStep, v, 1);
        v128.store32_lane(q + 2 * outStep, v, 2);
        v128.store32_lane(q + 3 * outStep, v, 3);
      }
    }
    for (; i < rowEnd; i++, u++) {
      let g = load<f32>(at(pdy, u * dyCs));
      if (mask != 0) g *= load<f32>(at(pm, u * mCs));
      const a = load<i32>(at(pa, u * aCs));
      const o = at(dx, i * pieces);
      for (let k = 0; k < pieces; k++) store<f32>(at(o, k), a == k ? g : 0);
    }
  }
}

/**
 * maxoutBackward with x: as above, but a unit's gradient is shared evenly by every piece equal to
 * the winner x[row, u * pieces + argmax] (g / c each for c tied pieces; a NaN winner keeps it
 * alone), the rule `max` follows too (see autograd's rules/maxout.ts). Scalar: each unit reads its
 * `pieces` inputs once to count the ties and once more to write; the work is pieces loads and
 * stores per unit, the same memory traffic as the scatter above. g / c is one f32 division,
 * correctly rounded, as the CPU twin's rounded double division is, so the two agree bit for bit.
 */
export function maxoutBackwardTies(
  rows: i32, units: i32, pieces: i32, dy: usize, dyRs: i32, dyCs: i32, argmax: usize, aRs: i32, aCs: i32,
  mask: usize, mRs: i32, mCs: i32, x: usize, xRs: i32, xCs: i32, dx: usize, tid: i32, nthreads: i32,
): void {
  const n = rows * units;
  const end = shareEnd(n, tid, nthreads);
  for (let i = shareStart(n, tid, nthreads); i < end; i++) {
    const row = i / units;
    const u = i - row * units;
    let g = load<f32>(at(at(dy, row * dyRs), u * dyCs));
    if (mask != 0) g *= load<f32>(at(at(mask, row * mRs), u * mCs));
    const a = load<i32>(at(at(argmax, row * aRs), u * aCs));
    const o = at(dx, i * pieces);
    const px = at(x, row * xRs);
    const first = u * pieces;
    if (a < 0 || a >= pieces) {
      for (let k = 0; k < pieces; k++) store<f32>(at(o, k), 0);
      continue;
    }
    const best = load<f32>(at(px, (first + a) * xCs));
    if (isNaN(best)) {
      for (let k = 0; k < pieces; k++) store<f32>(at(o, k), a == k ? g : 0);
      continue;
    }
    let ties = 0;
    for (let k = 0; k < pieces; k++) if (load<f32>(at(px, (first + k) * xCs)) == best) ties++;
    const share: f32 = ties == 1 ? g : g / <f32>ties;
    for (let k = 0; k < pieces; k++) store<f32>(at(o, k), load<f32>(at(px, (first + k) * xCs)) == best ? share : 0);
  }
}
