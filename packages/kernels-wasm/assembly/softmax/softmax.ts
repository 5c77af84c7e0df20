/**
 * Softmax and log-softmax along one axis of a dense f32 tensor seen as [outer, len, inner] (the
 * axis in the middle: element (o, c, i) at (o * len + c) * inner + i); the twin of
 * packages/ops/src/softmax.
 *
 * Blocking: a row (an (o, i) pair) is the unit of work, walked three times: its maximum, the sum of
 * exp(x - max), then the outputs. Rows of a class axis are short (10 for MNIST), so a row stays
 * in L1 between the passes; no tiling is needed.
 *
 * SIMD layout: four consecutive elements of the row share a v128. With the axis last (inner = 1)
 * they are one 16-byte load; with inner > 1 the four lanes are gathered at stride `inner`. The
 * maximum and the sum run as four lane partials, combined at the end of the row in a fixed order
 * (lanes 0 + 1, 2 + 3, then the two), then the len % 4 tail elements one by one. exp is
 * shared/math.ts's expV (about 1 ulp); the tail uses the same vector code on a splatted value.
 *
 * Threads: rows are cut into nthreads near-equal ranges (shared/threads.ts, alignment 1). A row's
 * instructions do not depend on which thread runs it, so 1 and N threads agree bit for bit.
 *
 * Bounds: a thread reads and writes only the elements of its rows; len >= 1 (the launcher skips
 * empty tensors).
 *
 * Numerics: subtracting the row's maximum first makes every exp argument <= 0 (no overflow; the
 * largest term is exactly 1, so the sum is >= 1 and its log is safe); log-softmax is
 * x - (max + log(sum)), never log(softmax). Against the double twin: exp's ~1 ulp plus the f32 sum
 * of len terms in 4 partials (relative error about len/4 ulps); a NaN in the row makes the row NaN
 * (f32x4.max propagates it), as in the twin.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { expV, lane0, logV } from '../shared/math';
import { loadLanes } from '../shared/strided';

@inline
function store4(at: usize, stride: usize, v: v128): void {
  if (stride == 4) {
    v128.store(at, v);
    return;
  }
  store<f32>(at, f32x4.extract_lane(v, 0));
  store<f32>(at + stride, f32x4.extract_lane(v, 1));
  store<f32>(at + 2 * stride, f32x4.extract_lane(v, 2));
  store<f32>(at + 3 * stride, f32x4.extract_lane(v, 3));
}

/** The four lanes combined in a fixed order: (l0 op l1) op (l2 op l3). */
@inline
function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}
@inline
function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}


/** The maximum of a row of len elements at byte stride `stride` (4 lane partials, then the tail). */
@inline
export function rowMax(xr: usize, len: i32, stride: usize): f32 {
  const body = len & ~3;
  let m: f32;
  if (body > 0) {
    let mv = loadLanes(xr, stride);
    for (let c = 4; c < body; c += 4) mv = f32x4.max(mv, loadLanes(xr + <usize>c * stride, stride));
    m = hmax(mv);
  } else m = load<f32>(xr);
  for (let c = body; c < len; c++) m = max(m, load<f32>(xr + <usize>c * stride));
  return m;
}

/** The sum of exp(x - m) over a row (4 lane partials combined in a fixed order, then the tail). */
@inline
export function rowSumExp(xr: usize, len: i32, stride: usize, m: f32): f32 {
  const body = len & ~3;
  const mv = f32x4.splat(m);
  let sv = f32x4.splat(0);
  for (let c = 0; c < body; c += 4) sv = f32x4.add(sv, expV(f32x4.sub(loadLanes(xr + <usize>c * stride, stride), mv)));
  let s = hsum(sv);
  for (let c = body; c < len; c++) s += lane0(expV(f32x4.splat(load<f32>(xr + <usize>c * stride) - m)));
  return s;
}

/** exp(x - m) * inv, the probability of one element (the same bits as the vector body's lanes). */
@inline
export function prob(x: f32, m: f32, inv: f32): f32 {
  return lane0(f32x4.mul(expV(f32x4.splat(x - m)), f32x4.splat(inv)));
}

/**
 * out = softmax(x) (log = 0) or logSoftmax(x) (log = 1) along the middle axis of [outer, len, inner];
 * rows = outer * inner.
 */
export function softmaxF32(log: i32, rows: i32, len: i32, inner: i32, x: usize, out: usize, tid: i32, nthreads: i32): void {
  const start = shareStart(rows, tid, nthreads, 1);
  const end = shareEnd(rows, tid, nthreads, 1);
  const stride = (<usize>inner) << 2;
  const body = len & ~3;
  for (let r = start; r < end; r++) {
    const base = (<usize>((r / inner) * len * inner + (r % inner))) << 2;
    const xr = x + base;
    const or = out + base;
    const m = rowMax(xr, len, stride);
    const s = rowSumExp(xr, len, stride, m);
    const mv = f32x4.splat(m);
    // The outputs (the max and the sum were the first two passes).
    if (log) {
      const shift = m + lane0(logV(f32x4.splat(s)));
      const shv = f32x4.splat(shift);
      for (let c = 0; c < body; c += 4) store4(or + <usize>c * stride, stride, f32x4.sub(loadLanes(xr + <usize>c * stride, stride), shv));
      for (let c = body; c < len; c++) store<f32>(or + <usize>c * stride, load<f32>(xr + <usize>c * stride) - shift);
    } else {
      const inv = f32x4.splat(1 / s);
      for (let c = 0; c < body; c += 4) store4(or + <usize>c * stride, stride, f32x4.mul(expV(f32x4.sub(loadLanes(xr + <usize>c * stride, stride), mv)), inv));
      for (let c = body; c < len; c++) {
        const at = <usize>c * stride;
        store<f32>(or + at, prob(load<f32>(xr + at), m, f32x4.extract_lane(inv, 0)));
      }
    }
  }
}
