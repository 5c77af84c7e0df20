/**
 * Sigmoid binary cross-entropy from logits, forward (the loss's partial sums) and backward (the
 * gradient with respect to the logits): the twin of packages/ops/src/bce.
 *
 * Numerics (the CPU twin's formulas, in f32):
 *   loss term  max(z, 0) - z t + log1p(e),  e = exp(-|z|) in (0, 1]
 *   gradient   (sigmoid(z) - t) * c,        sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e), c = scale / n
 * exp only ever sees a non-positive argument, so nothing overflows and logits of +-1e4 give exact
 * losses (|z| or 0). Both functions are evaluated four lanes at a time, by hand, in f32x4:
 * - exp(x), x <= 0: x = k ln2 + r with k = nearest(x log2 e) and r = x - k C1 - k C2 (Cody-Waite:
 *   C1 has 9 significant bits, so k C1 is exact for |k| <= 127), |r| <= ln2 / 2; exp(r) by its
 *   Taylor polynomial to r^7 (truncation below 6e-9 relative); 2^k built in the exponent bits.
 *   Below x = -87.3 (k < -126, past f32's normal range) the result is 0: an absolute difference
 *   under 2^-126 from the CPU twin's double.
 * - log1p(e) for e in (0, 1]: 2 atanh(s) with s = e / (2 + e) in (0, 1/3], by its odd series to
 *   s^15 (the first term left out is below 1.5e-8 relative). No `1 + e` is ever formed, so tiny e
 *   keep full relative precision (the CPU twin's Math.log1p does the same in doubles), and the
 *   code is branch-free and cannot be folded by a compiler: wasm runs the operations as written
 *   (there is no fused multiply-add, so every engine rounds the same way).
 * Each lane's result is within a few f32 ULPs of the CPU twin's double: the loss term within
 * ~4 eps (|z| + |z t| + log1p(e)), the gradient within ~4 eps (sigmoid + |t|) |c|.
 *
 * Memory traffic: the loss reads z (and t, unless one number) once: 4 or 8 bytes per element;
 * the gradient also writes 4. The two transcendental functions are about 40 f32x4 instructions
 * per four elements, so at f32x4 width the kernels run near memory speed; scalar libm calls would
 * be ALU-bound several times over.
 *
 * Summation (the loss): the elements are cut into pieces of 1024; a piece's terms are added in
 * two f64x2 accumulators (each f32 term promoted exactly), then written to partial[piece] as f32.
 * The launcher adds the partials in doubles, in piece order, and divides by n. Pieces do not
 * depend on the thread count, so 1 and N threads give the same bits; the error is one f32
 * rounding per piece plus the terms' own: relative 2^-24 of sum |term|, far below the terms'.
 *
 * Layout and bounds: z, t and out are dense (the launcher makes views dense first). The last
 * n % 4 elements are loaded lane by lane into a zero vector, and their lanes alone are stored or
 * summed (a masked lane would otherwise add log1p(1) = ln 2 to the sum).
 *
 * Threads: pieces (loss) or 16-aligned element ranges (gradient) are split over the threads.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at } from '../shared/strided';

/** Elements of one partial sum of the loss. */
export const BCE_PIECE: i32 = 1024;

const LOG2E: f32 = 1.44269504088896341;
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;

/** exp(x) for x <= 0, four lanes (see the header). */
@inline
function expNeg(x: v128): v128 {
  const kf = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(kf, f32x4.splat(C1))), f32x4.mul(kf, f32x4.splat(C2)));
  let p = f32x4.splat(<f32>(1.0 / 5040));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 720)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1));
  // 2^k for k in [-126, 0]: the biased exponent k + 127 shifted into place. Lanes with k < -126
  // (x below about -87.3) are set to 0 by the mask.
  const k = i32x4.trunc_sat_f32x4_s(kf);
  const twoK = i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23);
  return v128.and(f32x4.mul(p, twoK), i32x4.gt_s(k, i32x4.splat(-127)));
}

/** log(1 + e) for e in [0, 1], four lanes: 2 atanh(e / (2 + e)) by its series (see the header). */
@inline
function log1pUnit(e: v128): v128 {
  const s = f32x4.div(e, f32x4.add(f32x4.splat(2), e));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.splat(<f32>(1.0 / 15));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 13)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 11)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 9)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 7)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 5)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 3)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>1));
  return f32x4.mul(f32x4.add(s, s), p);
}

/** The loss terms max(z, 0) - z t + log1p(exp(-|z|)) of four lanes. */
@inline
function bceTerm(z: v128, t: v128): v128 {
  const e = expNeg(f32x4.neg(f32x4.abs(z)));
  return f32x4.add(f32x4.sub(f32x4.max(z, f32x4.splat(0)), f32x4.mul(z, t)), log1pUnit(e));
}

/** (sigmoid(z) - t) * c of four lanes. */
@inline
function bceGrad(z: v128, t: v128, c: v128): v128 {
  const e = expNeg(f32x4.neg(f32x4.abs(z)));
  const d = f32x4.add(f32x4.splat(1), e);
  const sig = v128.bitselect(f32x4.div(f32x4.splat(1), d), f32x4.div(e, d), f32x4.ge(z, f32x4.splat(0)));
  return f32x4.mul(f32x4.sub(sig, t), c);
}

/** Elements i .. n-1 (fewer than four) into the low lanes of a zero vector. */
@inline
function loadTail(p: usize, i: i32, n: i32): v128 {
  let v = f32x4.splat(0);
  v = v128.load32_lane(at(p, i), v, 0);
  if (i + 1 < n) v = v128.load32_lane(at(p, i + 1), v, 1);
  if (i + 2 < n) v = v128.load32_lane(at(p, i + 2), v, 2);
  return v;
}

/** The targets of elements i .. i+3: four loads, or the one number splatted. */
@inline
function targetsAt(t: usize, tValue: f32, i: i32, n: i32, tail: bool): v128 {
  if (t == 0) return f32x4.splat(tValue);
  return tail ? loadTail(t, i, n) : v128.load(at(t, i));
}

/** Adds the four lanes of v (as f64) to the accumulators a (lanes 0, 1) and b (lanes 2, 3). */
@inline
function addWide(acc: v128, v: v128): v128 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f64x2.add(acc, f64x2.add(lo, hi));
}

/**
 * partial[p] = sum of the loss terms of piece p (elements p*1024 .. min(n, p*1024 + 1024)).
 * `t` is the targets' address, or 0 for the one target `tValue`.
 */
export function bceLossPartials(n: i32, z: usize, t: usize, tValue: f32, partial: usize, tid: i32, nthreads: i32): void {
  const pieces = (n + BCE_PIECE - 1) / BCE_PIECE;
  const end = shareEnd(pieces, tid, nthreads, 1);
  for (let p = shareStart(pieces, tid, nthreads, 1); p < end; p++) {
    const first = p * BCE_PIECE;
    const last = min(n, first + BCE_PIECE);
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    let i = first;
    for (; i + 8 <= last; i += 8) {
      acc0 = addWide(acc0, bceTerm(v128.load(at(z, i)), targetsAt(t, tValue, i, n, false)));
      acc1 = addWide(acc1, bceTerm(v128.load(at(z, i + 4)), targetsAt(t, tValue, i + 4, n, false)));
    }
    if (i + 4 <= last) {
      acc0 = addWide(acc0, bceTerm(v128.load(at(z, i)), targetsAt(t, tValue, i, n, false)));
      i += 4;
    }
    if (i < last) {
      // Keep only the lanes below n: the others would add ln 2 each.
      const valid = i32x4.lt_s(i32x4.add(i32x4.splat(i), i32x4(0, 1, 2, 3)), i32x4.splat(last));
      acc1 = addWide(acc1, v128.and(bceTerm(loadTail(z, i, last), targetsAt(t, tValue, i, last, true)), valid));
    }
    const s = f64x2.add(acc0, acc1);
    store<f32>(at(partial, p), <f32>(f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1)));
  }
}

/** out[i] = (sigmoid(z[i]) - t[i]) * c (t = 0: the one target tValue). */
export function bceGradient(n: i32, z: usize, t: usize, tValue: f32, c: f32, out: usize, tid: i32, nthreads: i32): void {
  const end = shareEnd(n, tid, nthreads);
  let i = shareStart(n, tid, nthreads);
  const cv = f32x4.splat(c);
  for (; i + 4 <= end; i += 4) v128.store(at(out, i), bceGrad(v128.load(at(z, i)), targetsAt(t, tValue, i, n, false), cv));
  if (i < end) {
    const g = bceGrad(loadTail(z, i, end), targetsAt(t, tValue, i, end, true), cv);
    v128.store32_lane(at(out, i), g, 0);
    if (i + 1 < end) v128.store32_lane(at(out, i + 1), g, 1);
    if (i + 2 < end) v128.store32_lane(at(out, i + 2), g, 2);
  }
}
