/**
 * 2-D max and average pooling, forward and backward (the twin of packages/kernels-wgsl/src/pool).
 *
 * Layout: x, dy and dx are dense NCHW, seen as `planes` = N * C planes; the output is dense
 * [planes, OH, OW] (and the i32 indices of max pooling: ih * W + iw inside the plane). The launcher
 * writes the geometry as 14 i32 (`geom`, see G_* below) with `device.ints`.
 *
 * SIMD layout (forward): four neighbouring outputs (ow .. ow + 3) of one output row at once, one
 * per lane. Their taps (kh, kw) lie sW elements apart, so a step gathers them with four
 * `v128.load32_lane` (one `v128.load` when sW = 1), then shares the compare and selects (max) or
 * the add (avg) between four outputs. The lanes run only where all four windows lie inside the
 * input along W (interior columns: no per-lane bounds); a tap row outside the input is skipped for
 * all lanes at once, since they share oh. The border columns and the last OW % 4 outputs run the
 * same walk in scalar code. Each lane does exactly the scalar sequence of operations (taps in
 * row-major order; the max's rule take = no best yet, or best is not NaN and (v is NaN or v > best);
 * avg: f32 adds then one IEEE division), so the two paths, the CPU twin and any thread count agree
 * bit for bit. The work is memory-bound (kH * kW loads per output, in cache for overlapping windows).
 *
 * Backward: one dx element at a time, scalar: each gathers dy from the outputs whose window holds
 * it (at most ceil(kH / sH) * ceil(kW / sW), one for stride = kernel), tested by divisibility as in
 * the WGSL kernel, in the order kh, then kw. The tests and the handful of scattered dy loads per
 * element leave no four-lane run to share, so f32x4 does not pay here.
 *
 * Threads: the forward splits output rows (plane, oh), the backward dx elements, into nthreads
 * ranges (`shareStart`); every element is computed by the same instructions whatever the split.
 * Bounds: a thread writes only its range and reads only taps inside the input (the launcher checks
 * shapes, dtypes, padding <= kernel / 2 and an output of at least 1 x 1).
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at } from '../shared/strided';

const G_PLANES = 0;
const G_H = 1;
const G_W = 2;
const G_OH = 3;
const G_OW = 4;
const G_KH = 5;
const G_KW = 6;
const G_SH = 7;
const G_SW = 8;
const G_PH = 9;
const G_PW = 10;
const G_DH = 11;
const G_DW = 12;
const G_COUNT_PAD = 13;

@inline
function geo(geom: usize, i: i32): i32 {
  return load<i32>(geom + (<usize>i << 2));
}

/** Four f32 at p, p + step, p + 2 step, p + 3 step (bytes): one load when they are adjacent. */
@inline
function gather4(p: usize, step: usize): v128 {
  if (step == 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = v128.load32_lane(p, v, 0);
  v = v128.load32_lane(p + step, v, 1);
  v = v128.load32_lane(p + 2 * step, v, 2);
  return v128.load32_lane(p + 3 * step, v, 3);
}

/** The first output column whose window starts inside the input, and the end of those that end inside. */
@inline
function interiorLo(sW: i32, pW: i32): i32 {
  return (pW + sW - 1) / sW;
}

@inline
function interiorHi(w: i32, ow: i32, kW: i32, sW: i32, pW: i32, dW: i32): i32 {
  const last = w - 1 + pW - (kW - 1) * dW; // ow * sW <= last
  return last < 0 ? 0 : min(ow, last / sW + 1);
}

/** Scalar max over output (oh, ow)'s window; writes value and index. */
@inline
function maxScalar(geom: usize, plane: usize, oh: i32, ow: i32, out: usize, idx: usize): void {
  const h = geo(geom, G_H);
  const w = geo(geom, G_W);
  const h0 = oh * geo(geom, G_SH) - geo(geom, G_PH);
  const w0 = ow * geo(geom, G_SW) - geo(geom, G_PW);
  let best = <f32>-Infinity;
  let arg = -1;
  for (let kh = 0; kh < geo(geom, G_KH); kh++) {
    const ih = h0 + kh * geo(geom, G_DH);
    if (ih < 0 || ih >= h) continue;
    for (let kw = 0; kw < geo(geom, G_KW); kw++) {
      const iw = w0 + kw * geo(geom, G_DW);
      if (iw < 0 || iw >= w) continue;
      const v = load<f32>(at(plane, ih * w + iw));
      if (arg < 0 || (best == best && (v != v || v > best))) {
        best = v;
        arg = ih * w + iw;
      }
    }
  }
  store<f32>(out, best);
  store<i32>(idx, arg);
}

/** values, indices [planes, OH, OW] = max pooling of x (f32), the first maximum's index. */
export function maxPool2dF32(geom: usize, x: usize, values: usize, indices: usize, tid: i32, nthreads: i32): void {
  const h = geo(geom, G_H);
  const w = geo(geom, G_W);
  const oh = geo(geom, G_OH);
  const ow = geo(geom, G_OW);
  const kH = geo(geom, G_KH);
  const kW = geo(geom, G_KW);
  const sW = geo(geom, G_SW);
  const pW = geo(geom, G_PW);
  const dW = geo(geom, G_DW);
  const lo = interiorLo(sW, pW);
  const hi = interiorHi(w, ow, kW, sW, pW, dW);
  const rows = geo(geom, G_PLANES) * oh;
  const end = shareEnd(rows, tid, nthreads, 1);
  const laneStep = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(0), 1, sW), 2, 2 * sW), 3, 3 * sW);
  for (let r = shareStart(rows, tid, nthreads, 1); r < end; r++) {
    const plane = at(x, (r / oh) * h * w);
    const y = r % oh;
    const h0 = y * geo(geom, G_SH) - geo(geom, G_PH);
    let c = 0;
    for (; c < ow; c++) {
      if (c >= lo && c + 4 <= hi) break;
      maxScalar(geom, plane, y, c, at(values, r * ow + c), at(indices, r * ow + c));
    }
    for (; c + 4 <= hi; c += 4) {
      let best = f32x4.splat(<f32>-Infinity);
      let arg = i32x4.splat(-1);
      for (let kh = 0; kh < kH; kh++) {
        const ih = h0 + kh * geo(geom, G_DH);
        if (ih < 0 || ih >= h) continue;
        for (let kw = 0; kw < kW; kw++) {
          const iw = c * sW - pW + kw * dW;
          const v = gather4(at(plane, ih * w + iw), <usize>sW << 2);
          const unset = i32x4.lt_s(arg, i32x4.splat(0));
          const take = v128.or(unset, v128.and(f32x4.eq(best, best), v128.or(f32x4.ne(v, v), f32x4.gt(v, best))));
          best = v128.bitselect(v, best, take);
          arg = v128.bitselect(i32x4.add(i32x4.splat(ih * w + iw), laneStep), arg, take);
        }
      }
      v128.store(at(values, r * ow + c), best);
      v128.store(at(indices, r * ow + c), arg);
    }
    for (; c < ow; c++) maxScalar(geom, plane, y, c, at(values, r * ow + c), at(indices, r * ow + c));
  }
}

/** Average pooling's divisor for output (oh, ow); see avgDivisor in pool.cpu.ts. */
@inline
function divisor(geom: usize, oh: i32, ow: i32): f32 {
  const kH = geo(geom, G_KH);
  const kW = geo(geom, G_KW);
  if (geo(geom, G_COUNT_PAD) != 0) return <f32>(kH * kW);
  const h0 = oh * geo(geom, G_SH) - geo(geom, G_PH);
  const w0 = ow * geo(geom, G_SW) - geo(geom, G_PW);
  return <f32>((min(h0 + kH, geo(geom, G_H)) - max(h0, 0)) * (min(w0 + kW, geo(geom, G_W)) - max(w0, 0)));
}

/** Scalar average over output (oh, ow)'s window. */
@inline
function avgScalar(geom: usize, plane: usize, oh: i32, ow: i32): f32 {
  const h = geo(geom, G_H);
  const w = geo(geom, G_W);
  const h0 = oh * geo(geom, G_SH) - geo(geom, G_PH);
  const w0 = ow * geo(geom, G_SW) - geo(geom, G_PW);
  let sum: f32 = 0;
  for (let kh = 0; kh < geo(geom, G_KH); kh++) {
    const ih = h0 + kh;
    if (ih < 0 || ih >= h) continue;
    for (let kw = 0; kw < geo(geom, G_KW); kw++) {
      const iw = w0 + kw;
      if (iw >= 0 && iw < w) sum += load<f32>(at(plane, ih * w + iw));
    }
  }
  return sum / divisor(geom, oh, ow);
}

/** out [planes, OH, OW] = average pooling of x (f32). */
export function avgPool2dF32(geom: usize, x: usize, out: usize, tid: i32, nthreads: i32): void {
  const h = geo(geom, G_H);
  const w = geo(geom, G_W);
  const oh = geo(geom, G_OH);
  const ow = geo(geom, G_OW);
  const kH = geo(geom, G_KH);
  const kW = geo(geom, G_KW);
  const sW = geo(geom, G_SW);
  const pW = geo(geom, G_PW);
  const lo = interiorLo(sW, pW);
  const hi = interiorHi(w, ow, kW, sW, pW, 1);
  const rows = geo(geom, G_PLANES) * oh;
  const end = shareEnd(rows, tid, nthreads, 1);
  for (let r = shareStart(rows, tid, nthreads, 1); r < end; r++) {
    const plane = at(x, (r / oh) * h * w);
    const y = r % oh;
    const h0 = y * geo(geom, G_SH) - geo(geom, G_PH);
    let c = 0;
    for (; c < ow; c++) {
      if (c >= lo && c + 4 <= hi) break;
      store<f32>(at(out, r * ow + c), avgScalar(geom, plane, y, c));
    }
    // Interior columns: every lane's window has kW columns inside, so one divisor serves four.
    const div = f32x4.splat(divisor(geom, y, lo));
    for (; c + 4 <= hi; c += 4) {
      let sum = f32x4.splat(0);
      for (let kh = 0; kh < kH; kh++) {
        const ih = h0 + kh;
        if (ih < 0 || ih >= h) continue;
        for (let kw = 0; kw < kW; kw++) sum = f32x4.add(sum, gather4(at(plane, ih * w + c * sW - pW + kw), <usize>sW << 2));
      }
      v128.store(at(out, r * ow + c), f32x4.div(sum, div));
    }
    for (; c < ow; c++) store<f32>(at(out, r * ow + c), avgScalar(geom, plane, y, c));
  }
}

/**
 * The backward gather shared by both pools: dx[i] = the sum over the outputs o whose window holds
 * element i of max ? (indices[o] == i's position ? dy[o] : 0) : dy[o] / divisor(o).
 */
@inline
function poolBackward(isMax: bool, geom: usize, dy: usize, indices: usize, dx: usize, tid: i32, nthreads: i32): void {
  const h = geo(geom, G_H);
  const w = geo(geom, G_W);
  const oh = geo(geom, G_OH);
  const ow = geo(geom, G_OW);
  const kH = geo(geom, G_KH);
  const kW = geo(geom, G_KW);
  const sH = geo(geom, G_SH);
  const sW = geo(geom, G_SW);
  const pH = geo(geom, G_PH);
  const pW = geo(geom, G_PW);
  const dH = geo(geom, G_DH);
  const dW = geo(geom, G_DW);
  const n = geo(geom, G_PLANES) * h * w;
  const end = shareEnd(n, tid, nthreads);
  for (let i = shareStart(n, tid, nthreads); i < end; i++) {
    const iw = i % w;
    const ih = (i / w) % h;
    const plane = i / (w * h);
    const me = ih * w + iw;
    let acc: f32 = 0;
    for (let kh = 0; kh < kH; kh++) {
      const th = ih + pH - kh * dH;
      if (th < 0 || th % sH != 0 || th / sH >= oh) continue;
      const y = th / sH;
      for (let kw = 0; kw < kW; kw++) {
        const tw = iw + pW - kw * dW;
        if (tw < 0 || tw % sW != 0 || tw / sW >= ow) continue;
        const x = tw / sW;
        const o = (plane * oh + y) * ow + x;
        if (isMax) {
          if (load<i32>(at(indices, o)) == me) acc += load<f32>(at(dy, o));
        } else {
          acc += load<f32>(at(dy, o)) / divisor(geom, y, x);
        }
      }
    }
    store<f32>(at(dx, i), acc);
  }
}

/** dx [planes, H, W] = dy summed into the positions `indices` names (max pooling's gradient). */
export function maxPool2dBackwardF32(geom: usize, dy: usize, indices: usize, dx: usize, tid: i32, nthreads: i32): void {
  poolBackward(true, geom, dy, indices, dx, tid, nthreads);
}

/** dx [planes, H, W] = dy / divisor spread over each window (average pooling's gradient). */
export function avgPool2dBackwardF32(geom: usize, dy: usize, dx: usize, tid: i32, nthreads: i32): void {
  poolBackward(false, geom, dy, 0, dx, tid, nthreads);
}
