/**
 * 2-D max and average pooling, forward and backward (the twin of packages/ops/src/pool).
 *
 * Layout: x, dy and dx are dense NCHW, seen as `planes` = N * C planes; the output is dense
 * [planes, OH, OW] (and the i32 indices of max pooling: ih * W + iw inside the plane). The launcher
 * writes the geometry as 14 i32 (`geom`, read as the `Geometry` class below) with `device.ints`.
 *
 * SIMD layout (forward): four neighbouring outputs (ow .. ow + 3) of one output row at once, one
 * per lane. Their taps (kh, kw) lie sW elements apart, so a step gathers them with four
 * `v128.load32_lane` (one `v128.load` when sW = 1), then shares the compare and selects (max) or
 * the add (avg) between four outputs. The lanes run only where all four windows lie inside the
 * input along W (interior columns: no per-lane bounds); the window rows inside the input are found
 * once per output row (the lanes share oh), so the tap loop has no bounds test at all. Max keeps,
 * per lane, the winning tap's offset from the window's first tap (one splat and select per tap)
 * and forms the index ih * W + iw once per four outputs; it starts from the first tap, so the
 * "no best yet" test of the scalar walk is gone too. The border columns and the last OW % 4 outputs run the
 * same walk in scalar code. Each lane does exactly the scalar sequence of operations (taps in
 * row-major order; the max's rule take = v > best, or v is the first NaN; avg: f32 adds from 0,
 * then one IEEE division), so the two paths, the CPU twin and any thread count agree bit for bit. The work is memory-bound (kH * kW loads per output, in cache for overlapping windows).
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
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at, gather4 } from '../shared/strided';

/**
 * The geometry the launcher writes (14 i32, in this order: PoolGeometry of pool.cpu.ts and the
 * count rule), read in place: an unmanaged class is a view of memory, no allocation.
 */
@unmanaged
class Geometry {
  planes: i32;
  h: i32;
  w: i32;
  oh: i32;
  ow: i32;
  kH: i32;
  kW: i32;
  sH: i32;
  sW: i32;
  pH: i32;
  pW: i32;
  dH: i32;
  dW: i32;
  countIncludePad: i32;
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
function maxScalar(g: Geometry, plane: usize, oh: i32, ow: i32, out: usize, idx: usize): void {
  const h = g.h;
  const w = g.w;
  const h0 = oh * g.sH - g.pH;
  const w0 = ow * g.sW - g.pW;
  let best = <f32>-Infinity;
  let arg = -1;
  for (let kh = 0; kh < g.kH; kh++) {
    const ih = h0 + kh * g.dH;
    if (ih < 0 || ih >= h) continue;
    for (let kw = 0; kw < g.kW; kw++) {
      const iw = w0 + kw * g.dW;
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

/** Average pooling's divisor for output (oh, ow); see avgDivisor in pool.cpu.ts. */
@inline
function divisor(g: Geometry, oh: i32, ow: i32): f32 {
  const kH = g.kH;
  const kW = g.kW;
  if (g.countIncludePad != 0) return <f32>(kH * kW);
  const h0 = oh * g.sH - g.pH;
  const w0 = ow * g.sW - g.pW;
  return <f32>((min(h0 + kH, g.h) - max(h0, 0)) * (min(w0 + kW, g.w) - max(w0, 0)));
}

/** Scalar average over output (oh, ow)'s window. */
@inline
function avgScalar(g: Geometry, plane: usize, oh: i32, ow: i32): f32 {
  const h = g.h;
  const w = g.w;
  const h0 = oh * g.sH - g.pH;
  const w0 = ow * g.sW - g.pW;
  let sum: f32 = 0;
  for (let kh = 0; kh < g.kH; kh++) {
    const ih = h0 + kh;
    if (ih < 0 || ih >= h) continue;
    for (let kw = 0; kw < g.kW; kw++) {
      const iw = w0 + kw;
      if (iw >= 0 && iw < w) sum += load<f32>(at(plane, ih * w + iw));
    }
  }
  return sum / divisor(g, oh, ow);
}

/**
 * The forward walk shared by both pools: output rows (plane, oh) of this thread's share, each row's
 * border columns in scalar code, its interior in groups of four lanes (see the header).
 */
@inline
function poolForward(isMax: bool, g: Geometry, x: usize, out: usize, indices: usize, tid: i32, nthreads: i32): void {
  const h = g.h;
  const w = g.w;
  const oh = g.oh;
  const ow = g.ow;
  const kH = g.kH;
  const kW = g.kW;
  const sW = g.sW;
  const pW = g.pW;
  const dH = g.dH;
  const dW = g.dW;
  const lo = interiorLo(sW, pW);
  const hi = interiorHi(w, ow, kW, sW, pW, dW);
  const rows = g.planes * oh;
  const end = shareEnd(rows, tid, nthreads, 1);
  const laneStep = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(0), 1, sW), 2, 2 * sW), 3, 3 * sW);
  for (let r = shareStart(rows, tid, nthreads, 1); r < end; r++) {
    const plane = at(x, (r / oh) * h * w);
    const y = r % oh;
    const h0 = y * g.sH - g.pH;
    let c = 0;
    for (; c < ow; c++) {
      if (c >= lo && c + 4 <= hi) break;
      if (isMax) maxScalar(g, plane, y, c, at(out, r * ow + c), at(indices, r * ow + c));
      else store<f32>(at(out, r * ow + c), avgScalar(g, plane, y, c));
    }
    // The window rows inside the input, [khLo, khHi): the same for the four lanes (they share oh).
    let khLo = 0;
    while (khLo < kH && h0 + khLo * dH < 0) khLo++;
    let khHi = kH;
    while (khHi > khLo && h0 + (khHi - 1) * dH >= h) khHi--;
    const rowStep = dH * w;
    // Interior columns: every lane's window has kW columns inside, so one divisor serves four.
    const div = f32x4.splat(isMax ? <f32>1 : divisor(g, y, lo));
    for (; c + 4 <= hi; c += 4) {
      // Element offset of tap (khLo, 0) of lane 0; a tap is `rel` elements past it (all lanes alike).
      const first = (h0 + khLo * dH) * w + c * sW - pW;
      const base = at(plane, first);
      if (isMax) {
        if (khLo == khHi) {
          v128.store(at(out, r * ow + c), f32x4.splat(<f32>-Infinity));
          v128.store(at(indices, r * ow + c), i32x4.splat(-1));
          continue;
        }
        // Start from the first tap; a later one replaces it only when strictly greater, or when it
        // is the first NaN. The winner's `rel` is kept per lane, its index formed once at the end.
        let best = gather4(base, <usize>sW << 2);
        let arg = i32x4.splat(0);
        for (let kh = khLo; kh < khHi; kh++) {
          const rowRel = (kh - khLo) * rowStep;
          for (let kw = kh == khLo ? 1 : 0; kw < kW; kw++) {
            const rel = rowRel + kw * dW;
            const v = gather4(at(base, rel), <usize>sW << 2);
            const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
            best = v128.bitselect(v, best, take);
            arg = v128.bitselect(i32x4.splat(rel), arg, take);
          }
        }
        v128.store(at(out, r * ow + c), best);
        v128.store(at(indices, r * ow + c), i32x4.add(i32x4.add(arg, i32x4.splat(first)), laneStep));
      } else {
        let sum = f32x4.splat(0);
        for (let kh = khLo; kh < khHi; kh++) {
          const row = at(base, (kh - khLo) * rowStep);
          for (let kw = 0; kw < kW; kw++) sum = f32x4.add(sum, gather4(at(row, kw), <usize>sW << 2));
        }
        v128.store(at(out, r * ow + c), f32x4.div(sum, div));
      }
    }
    for (; c < ow; c++) {
      if (isMax) maxScalar(g, plane, y, c, at(out, r * ow + c), at(indices, r * ow + c));
      else store<f32>(at(out, r * ow + c), avgScalar(g, plane, y, c));
    }
  }
}

/** values, indices [planes, OH, OW] = max pooling of x (f32), the first maximum's index. */
export function maxPool2dF32(geom: usize, x: usize, values: usize, indices: usize, tid: i32, nthreads: i32): void {
  poolForward(true, changetype<Geometry>(geom), x, values, indices, tid, nthreads);
}

/** out [planes, OH, OW] = average pooling of x (f32); dilation is 1 (the launcher writes it). */
export function avgPool2dF32(geom: usize, x: usize, out: usize, tid: i32, nthreads: i32): void {
  poolForward(false, changetype<Geometry>(geom), x, out, 0, tid, nthreads);
}

/**
 * The backward gather shared by both pools: dx[i] = the sum over the outputs o whose window holds
 * element i of max ? (indices[o] == i's position ? dy[o] : 0) : dy[o] / divisor(o).
 */
@inline
function poolBackward(isMax: bool, g: Geometry, dy: usize, indices: usize, dx: usize, tid: i32, nthreads: i32): void {
  const n = g.planes * g.h * g.w;
  const end = shareEnd(n, tid, nthreads);
  for (let i = shareStart(n, tid, nthreads); i < end; i++) {
    const iw = i % g.w;
    const ih = (i / g.w) % g.h;
    const plane = i / (g.w * g.h);
    const me = ih * g.w + iw;
    let acc: f32 = 0;
    for (let kh = 0; kh < g.kH; kh++) {
      const th = ih + g.pH - kh * g.dH;
      if (th < 0 || th % g.sH != 0 || th / g.sH >= g.oh) continue;
      const y = th / g.sH;
      for (let kw = 0; kw < g.kW; kw++) {
        const tw = iw + g.pW - kw * g.dW;
        if (tw < 0 || tw % g.sW != 0 || tw / g.sW >= g.ow) continue;
        const x = tw / g.sW;
        const o = (plane * g.oh + y) * g.ow + x;
        if (isMax) {
          if (load<i32>(at(indices, o)) == me) acc += load<f32>(at(dy, o));
        } else {
          acc += load<f32>(at(dy, o)) / divisor(g, y, x);
        }
      }
    }
    store<f32>(at(dx, i), acc);
  }
}

/** dx [planes, H, W] = dy summed into the positions `indices` names (max pooling's gradient). */
export function maxPool2dBackwardF32(geom: usize, dy: usize, indices: usize, dx: usize, tid: i32, nthreads: i32): void {
  poolBackward(true, changetype<Geometry>(geom), dy, indices, dx, tid, nthreads);
}

/** dx [planes, H, W] = dy / divisor spread over each window (average pooling's gradient). */
export function avgPool2dBackwardF32(geom: usize, dy: usize, dx: usize, tid: i32, nthreads: i32): void {
  poolBackward(false, changetype<Geometry>(geom), dy, 0, dx, tid, nthreads);
}
