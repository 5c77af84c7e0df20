/**
 * The wasm convolution's own kernels, im2col for conv2d and col2im for convTranspose2d (the twins
 * of packages/ops/src/conv; its conv.cpu.ts states the sum each output is). The launcher
 * (@saddle/ops's conv/conv.ts, convWasm) does the multiply-adds with the matmul kernel
 * (matmul/matmul.ts: panels, a 4 x 8 f32x4 register tile, fused multiply-add in the relaxed-SIMD
 * build): conv2d = im2col, then the matmul, then a copy of the [pixels, channels] product into
 * NCHW; convTranspose2d = the matmul (x against the weights), then col2im.
 *
 * Why im2col + the matmul here, when the WGSL kernel is an implicit GEMM: on the CPU the matmul's
 * register tile is what makes the flops cheap (32 multiply-adds per 3 loads), and a direct
 * convolution reaches that only with a tile per kernel shape. The patch matrix costs K = CinG·kH·kW
 * floats per output pixel, written once and read once by the matmul's packing, against 2·Cout·K
 * flops per pixel: for the GAN's layers (Cout 64-128) the copy is a small part of the time. (A
 * first version computed the convolution directly, f32x4 over 4 pixels x 4 channels per tap, and
 * ran 2-15x slower than tfjs-wasm's XNNPACK on the same shapes: its loop did a load and four weight
 * splats per 16 multiply-adds, and index arithmetic per tap.)
 *
 * im2col's layout: col [K, N·H'·W'] for group g: column p = (n, oy, ox) holds the receptive field
 * of output pixel p, row k = (ci, ky, kx) in the order the weights store it (conv2d's OIHW row is
 * contiguous in k), 0 where a tap reads the padding. K-major, so that for one tap and one output
 * row the W' entries are one run of x: a memory.copy at stride 1, a strided copy loop otherwise,
 * with zero fills where the run leaves the input (the bounds computed once per run). The matmul reads col through transA,
 * which is its cheap packing (four consecutive floats per step).
 *
 * Threads: the (k, n, oy) runs are cut into nthreads contiguous ranges (alignment 1); every
 * element is a copy, so any split gives the same bits. Memory traffic: K·4 bytes written per pixel,
 * x read kH·kW/(sh·sw) times over (from cache: a tap's runs are neighbouring rows).
 *
 * Bounds: the launcher checks shapes and options; x is read only at rows in [0, H) and columns in
 * [0, W) of group g's channels; col's P·K floats are all written.
 * dims: [n, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups].
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { dim } from '../shared/strided';

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

/**
 * conv2d's patch matrix: x dense NCHW; col dense [K, N·H'·W'] (K = CinG·kH·kW); g: the group whose
 * channels are gathered; dims as in the header.
 */
export function im2colF32(x: usize, col: usize, g: i32, dims: usize, tid: i32, nthreads: i32): void {
  const n = dim(dims, 0), cin = dim(dims, 1), h = dim(dims, 2), wd = dim(dims, 3);
  const oh = dim(dims, 5), ow = dim(dims, 6), kh = dim(dims, 7), kw = dim(dims, 8);
  const sh = dim(dims, 9), sw = dim(dims, 10), ph = dim(dims, 11), pw = dim(dims, 12), dh = dim(dims, 13), dw = dim(dims, 14);
  const groups = dim(dims, 15);
  const cinG = cin / groups;
  const taps = kh * kw;
  const pixels = n * oh * ow;
  // A unit: one output row (n, oy) of one patch row k, i.e. W' consecutive floats of col.
  const units = cinG * taps * n * oh;
  const start = shareStart(units, tid, nthreads, 1);
  const end = shareEnd(units, tid, nthreads, 1);
  const plane = (<usize>(h * wd)) << 2;
  const owBytes = (<usize>ow) << 2;
  for (let u = start; u < end; u++) {
    const oy = u % oh;
    let r = u / oh;
    const b = r % n;
    const k = r / n;
    const ci = k / taps;
    const ky = (k % taps) / kw;
    const kx = k % kw;
    const dst = col + ((<usize>k * <usize>pixels + <usize>((b * oh + oy) * ow)) << 2);
    const iy = inputIndex(oy, ky, sh, ph, dh, h, false);
    if (iy < 0) {
      memory.fill(dst, 0, owBytes);
      continue;
    }
    const row = x + <usize>(b * cin + g * cinG + ci) * plane + ((<usize>(iy * wd)) << 2);
    // ix = ox·sw + shift: inside [0, W) for ox in [lo, hi); zeros on either side.
    const shift = kx * dw - pw;
    const lo = min(ow, max(0, ceilDiv(-shift, sw)));
    const hi = max(lo, min(ow, ceilDiv(wd - shift, sw)));
    if (lo > 0) memory.fill(dst, 0, (<usize>lo) << 2);
    if (sw == 1) {
      // One contiguous run of inputs.
      if (hi > lo) memory.copy(dst + ((<usize>lo) << 2), row + ((<usize>(lo + shift)) << 2), (<usize>(hi - lo)) << 2);
    } else {
      for (let ox = lo; ox < hi; ox++) store<f32>(dst + ((<usize>ox) << 2), load<f32>(row + ((<usize>(ox * sw + shift)) << 2)));
    }
    if (hi < ow) memory.fill(dst + ((<usize>hi) << 2), 0, (<usize>(ow - hi)) << 2);
  }
}

/** ⌈a / s⌉ for s > 0 and any sign of a (i32 division truncates toward zero). */
@inline
function ceilDiv(a: i32, s: i32): i32 {
  return a > 0 ? (a + s - 1) / s : -(-a / s);
}

/**
 * convTranspose2d's second half on wasm (col2im as a gather). The launcher has computed, with the
 * matmul kernel, colT [N·H·W, CoutG·kH·kW] = x_gᵀ · W_g: entry ((n, iy, ix), (co, ky, kx)) is input
 * pixel (iy, ix)'s contribution to output channel co through tap (ky, kx), summed over the group's
 * input channels. Each output element then sums the (at most kH·kW) entries that land on it:
 * out[n, g·CoutG + co, oy, ox] = Σ_{ky, kx} colT[(n, iy, ix), (co, ky, kx)] + bias, with
 * iy = (oy + ph − ky·dh) / sh where that divides exactly (the transposed gather of the header), so
 * the GEMM multiplies no padding zeros: the useful flops only, where the im2col form of the
 * transposed direction would multiply sh·sw times as many. A gather, not a scatter-add: each thread
 * owns whole output rows (n, co, oy), sums its taps in (ky, kx) order in f32 and writes each output
 * once, so no atomics and 1 and N threads give the same bits. Scalar: K = CinG of the sum ran in
 * the matmul's f32x4 tile; this pass reads each colT entry once (cache lines shared by the taps of
 * one input pixel) and is a small part of the time.
 * bias: 0 for none; dims as in the header.
 */
export function col2imF32(colT: usize, out: usize, bias: usize, g: i32, dims: usize, tid: i32, nthreads: i32): void {
  const n = dim(dims, 0), h = dim(dims, 2), wd = dim(dims, 3), cout = dim(dims, 4);
  const oh = dim(dims, 5), ow = dim(dims, 6), kh = dim(dims, 7), kw = dim(dims, 8);
  const sh = dim(dims, 9), sw = dim(dims, 10), ph = dim(dims, 11), pw = dim(dims, 12), dh = dim(dims, 13), dw = dim(dims, 14);
  const groups = dim(dims, 15);
  const coutG = cout / groups;
  const taps = kh * kw;
  const rowLen = coutG * taps;
  const units = n * coutG * oh;
  const start = shareStart(units, tid, nthreads, 1);
  const end = shareEnd(units, tid, nthreads, 1);
  for (let u = start; u < end; u++) {
    const oy = u % oh;
    const r = u / oh;
    const co = r % coutG;
    const b = r / coutG;
    const oc = g * coutG + co;
    const dst = out + ((<usize>((b * cout + oc) * oh + oy) * <usize>ow) << 2);
    const bv: f32 = bias ? load<f32>(bias + ((<usize>oc) << 2)) : 0;
    for (let ox = 0; ox < ow; ox++) {
      let acc: f32 = 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = inputIndex(oy, ky, sh, ph, dh, h, true);
        if (iy < 0) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = inputIndex(ox, kx, sw, pw, dw, wd, true);
          if (ix < 0) continue;
          acc += load<f32>(colT + ((<usize>((b * h + iy) * wd + ix) * <usize>rowLen + <usize>(co * taps + ky * kw + kx)) << 2));
        }
      }
      store<f32>(dst + ((<usize>ox) << 2), acc + bv);
    }
  }
}
