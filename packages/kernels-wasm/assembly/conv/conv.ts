/**
 * 2-D convolution, both directions (conv2d and convTranspose2d), f32, NCHW input and OIHW weights:
 * the twin of packages/kernels-wgsl/src/conv (its conv.cpu.ts states the sum each output is).
 *
 * Algorithm: direct, with f32x4 across output pixels and a 4 x 4 register tile of (output channel,
 * output pixel). Why not im2col + the matmul kernel: im2col writes a patch panel K = CinG·kH·kW
 * times the size of the output plane (25x the input for a 5 x 5 stride-1 kernel), which for the
 * GAN's shapes is a pass over memory the size of several layers' activations per call; the direct
 * form reads x where it lies. In NCHW four adjacent output pixels of a stride-1 conv read four
 * adjacent inputs (one v128.load), and four output channels share that load: per tap
 * (ci, ky, kx) a step does one input load, four weight splats and four multiply-adds (16 flops),
 * and the 4 x 4 outputs stay in registers over the whole K = CinG·kH·kW sum.
 *
 * Work unit: one output row of a block of four output channels, (n, g, channel block, oy), cut
 * over the threads in contiguous ranges (alignment 1). Within it, ox runs in steps of 4; the taps
 * run in (ci, ky, kx) order, kernel rows whose input row is padding (or, transposed, between input
 * rows) skipped whole.
 *
 * The input lanes: the fast path is one v128.load (conv2d, stride 1, all four columns inside
 * [0, W)). Otherwise (an edge, a stride > 1, the transposed gather) each lane is computed and
 * loaded alone, 0 where the tap falls in the padding or between input columns: correct for every
 * geometry, four scalar loads where the fast path has one.
 *
 * Channel blocks: a block past CoutG (CoutG % 4) reads the last channel's weights again for its
 * missing channels (no branch in the tap loop) and stores only the real ones.
 *
 * Numerics: each output is sum over (ci, ky, kx) in order of x·w through shared/fma.ts's madd (a
 * multiply then an add in the SIMD128 build, fused in the relaxed-SIMD build), starting from 0,
 * then + bias: the CPU twin's order, in f32. A padded tap adds 0·w, as the WGSL kernel does.
 * Threads own whole output rows and sum in the same order, so 1 and N threads give the same bits.
 *
 * Bounds: the launcher checks shapes and options; the kernel reads x only at the indices it has
 * checked against H and W, and writes only outputs inside [N, Cout, H', W'].
 * dims: [n, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups].
 */
import { shareEnd, shareStart } from '../shared/threads';
import { dim } from '../shared/strided';
import { madd } from '../shared/fma';

/** The input row or column for output position o and tap k, or -1 when it reads the padding. */
@inline
function inputIndex(o: i32, k: i32, stride: i32, pad: i32, dil: i32, size: i32, transposed: bool): i32 {
  if (!transposed) {
    const i = o * stride - pad + k * dil;
    return i >= 0 && i < size ? i : -1;
  }
  const t = o + pad - k * dil;
  if (t < 0 || t % stride != 0) return -1;
  const i = t / stride;
  return i < size ? i : -1;
}

/** One lane of input: row `rowPtr`, column of output position ox through tap kx (0 when padded or past W'). */
@inline
function lane(rowPtr: usize, ox: i32, ow: i32, kx: i32, sw: i32, pw: i32, dw: i32, w: i32, transposed: bool): f32 {
  if (ox >= ow) return 0;
  const ix = inputIndex(ox, kx, sw, pw, dw, w, transposed);
  return ix < 0 ? 0 : load<f32>(rowPtr + ((<usize>ix) << 2));
}

/** Stores acc + bias for the lanes of one channel that lie inside the row (count of them: `valid`). */
@inline
function storeLanes(dst: usize, acc: v128, b: f32, valid: i32): void {
  const v = f32x4.add(acc, f32x4.splat(b));
  if (valid == 4) {
    v128.store(dst, v);
    return;
  }
  store<f32>(dst, f32x4.extract_lane(v, 0));
  if (valid > 1) store<f32>(dst, f32x4.extract_lane(v, 1), 4);
  if (valid > 2) store<f32>(dst, f32x4.extract_lane(v, 2), 8);
}

/**
 * transposed: 0 for conv2d (w [Cout, CinG, kH, kW]), 1 for convTranspose2d (w [Cin, CoutG, kH, kW]);
 * x, w, out dense; bias: 0 for none, else [Cout]; dims as in the header.
 */
export function convF32(transposed: bool, x: usize, w: usize, bias: usize, out: usize, dims: usize, tid: i32, nthreads: i32): void {
  const n = dim(dims, 0), cin = dim(dims, 1), h = dim(dims, 2), wd = dim(dims, 3), cout = dim(dims, 4);
  const oh = dim(dims, 5), ow = dim(dims, 6), kh = dim(dims, 7), kw = dim(dims, 8);
  const sh = dim(dims, 9), sw = dim(dims, 10), ph = dim(dims, 11), pw = dim(dims, 12), dh = dim(dims, 13), dw = dim(dims, 14);
  const groups = dim(dims, 15);
  const cinG = cin / groups;
  const coutG = cout / groups;
  const blocks = (coutG + 3) / 4;
  const taps = kh * kw;
  const units = n * groups * blocks * oh;
  const start = shareStart(units, tid, nthreads, 1);
  const end = shareEnd(units, tid, nthreads, 1);
  const plane = (<usize>(h * wd)) << 2;
  const outPlane = (<usize>(oh * ow)) << 2;
  for (let u = start; u < end; u++) {
    const oy = u % oh;
    let r = u / oh;
    const blk = r % blocks;
    r /= blocks;
    const g = r % groups;
    const b = r / groups;
    const co0 = blk * 4;
    // The four channels of the block (a block cut by CoutG repeats its last channel).
    const c1 = min(co0 + 1, coutG - 1), c2 = min(co0 + 2, coutG - 1), c3 = min(co0 + 3, coutG - 1);
    // Byte offset between one tap's weights of two channels, and between consecutive ci.
    const chStride = (<usize>(transposed ? taps : cinG * taps)) << 2;
    const ciStride = (<usize>(transposed ? coutG * taps : taps)) << 2;
    const wBase = w + ((<usize>(transposed ? (g * cinG * coutG + co0) * taps : (g * coutG + co0) * cinG * taps)) << 2);
    const d1 = <usize>(c1 - co0) * chStride, d2 = <usize>(c2 - co0) * chStride, d3 = <usize>(c3 - co0) * chStride;
    const xBase = x + <usize>(b * cin + g * cinG) * plane;
    const fast = !transposed && sw == 1;
    for (let ox0 = 0; ox0 < ow; ox0 += 4) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let ci = 0; ci < cinG; ci++) {
        const xPlane = xBase + <usize>ci * plane;
        const wCi = wBase + <usize>ci * ciStride;
        for (let ky = 0; ky < kh; ky++) {
          const iy = inputIndex(oy, ky, sh, ph, dh, h, transposed);
          if (iy < 0) continue;
          const rowPtr = xPlane + ((<usize>(iy * wd)) << 2);
          for (let kx = 0; kx < kw; kx++) {
            let xv: v128;
            const ix0 = ox0 - pw + kx * dw;
            if (fast && ix0 >= 0 && ix0 + 3 < wd && ox0 + 3 < ow) {
              xv = v128.load(rowPtr + ((<usize>ix0) << 2));
            } else {
              xv = f32x4.splat(lane(rowPtr, ox0, ow, kx, sw, pw, dw, wd, transposed));
              xv = f32x4.replace_lane(xv, 1, lane(rowPtr, ox0 + 1, ow, kx, sw, pw, dw, wd, transposed));
              xv = f32x4.replace_lane(xv, 2, lane(rowPtr, ox0 + 2, ow, kx, sw, pw, dw, wd, transposed));
              xv = f32x4.replace_lane(xv, 3, lane(rowPtr, ox0 + 3, ow, kx, sw, pw, dw, wd, transposed));
            }
            const wp = wCi + ((<usize>(ky * kw + kx)) << 2);
            a0 = madd(xv, v128.load32_splat(wp), a0);
            a1 = madd(xv, v128.load32_splat(wp + d1), a1);
            a2 = madd(xv, v128.load32_splat(wp + d2), a2);
            a3 = madd(xv, v128.load32_splat(wp + d3), a3);
          }
        }
      }
      const valid = min(4, ow - ox0);
      const o = out + <usize>(b * cout + g * coutG + co0) * outPlane + ((<usize>(oy * ow + ox0)) << 2);
      const oc = g * coutG + co0;
      storeLanes(o, a0, bias ? load<f32>(bias + ((<usize>oc) << 2)) : 0, valid);
      if (co0 + 1 < coutG) storeLanes(o + outPlane, a1, bias ? load<f32>(bias + ((<usize>(oc + 1)) << 2)) : 0, valid);
      if (co0 + 2 < coutG) storeLanes(o + 2 * outPlane, a2, bias ? load<f32>(bias + ((<usize>(oc + 2)) << 2)) : 0, valid);
      if (co0 + 3 < coutG) storeLanes(o + 3 * outPlane, a3, bias ? load<f32>(bias + ((<usize>(oc + 3)) << 2)) : 0, valid);
    }
  }
}
