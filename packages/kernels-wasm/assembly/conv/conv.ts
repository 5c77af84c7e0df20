/**
 * The wasm convolution's own kernel: im2col, for conv2d and convTranspose2d (the twin of
 * packages/kernels-wgsl/src/conv; its conv.cpu.ts states the sum each output is). The launcher
 * (kernels-wgsl's conv/conv.ts) then multiplies the patch matrix by the weights with the matmul
 * kernel (matmul/matmul.ts: panels, a 4 x 8 f32x4 register tile, fused multiply-add in the
 * relaxed-SIMD build) and copies the [pixels, channels] product into NCHW.
 *
 * Why im2col + the matmul here, when the WGSL kernel is an implicit GEMM: on the CPU the matmul's
 * register tile is what makes the flops cheap (32 multiply-adds per 3 loads), and a direct
 * convolution reaches that only with a tile per kernel shape. The patch matrix costs K = CinG·kH·kW
 * floats per output pixel, written once and read once by the matmul's packing, against 2·Cout·K
 * flops per pixel: for the GAN's layers (Cout 64-128) the copy is a few percent of the time. (A
 * first version computed the convolution directly, f32x4 over 4 pixels x 4 channels per tap, and
 * ran 2-15x slower than tfjs-wasm's XNNPACK on the same shapes: its loop did a load and four weight
 * splats per 16 multiply-adds, and index arithmetic per tap.)
 *
 * Layout: col [K, N·H'·W'] for group g: column p = (n, oy, ox) holds the receptive field of
 * output pixel p, row k = (ci, ky, kx) in the order the weights store it (conv2d's OIHW row is
 * contiguous in k), 0 where a tap reads the padding (or, transposed, falls between input rows or
 * columns: the transposed conv as a gather, which multiplies those zeros too: sh·sw times the
 * useful flops). K-major, so that for one tap and one output row the W' entries are one run of x
 * (stride 1): a memory.copy, with zero fills where the run leaves the input; other strides and the
 * transposed gather copy element by element. The matmul reads col through transA, which is its
 * cheap packing (four consecutive floats per step).
 *
 * Threads: the (k, n, oy) runs are cut into nthreads contiguous ranges (alignment 1); every
 * element is a copy, so any split gives the same bits. Memory traffic: K·4 bytes written per pixel,
 * x read kH·kW/(sh·sw) times over (from cache: a tap's runs are neighbouring rows).
 *
 * Bounds: the launcher checks shapes and options; x is read only at rows in [0, H) and columns in
 * [0, W) of group g's channels; col's P·K floats are all written.
 * dims: [n, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups].
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
 * transposed: 0 for conv2d's gather, 1 for convTranspose2d's; x dense NCHW; col dense [K, N·H'·W']
 * (K = CinG·kH·kW); g: the group whose channels are gathered; dims as in the header.
 */
export function im2colF32(transposed: bool, x: usize, col: usize, g: i32, dims: usize, tid: i32, nthreads: i32): void {
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
    const iy = inputIndex(oy, ky, sh, ph, dh, h, transposed);
    if (iy < 0) {
      memory.fill(dst, 0, owBytes);
      continue;
    }
    const row = x + <usize>(b * cin + g * cinG + ci) * plane + ((<usize>(iy * wd)) << 2);
    if (!transposed && sw == 1) {
      // ix = ox − pw + kx·dw: one contiguous run of inputs, zeros on either side where it leaves [0, W).
      const shift = kx * dw - pw;
      const lo = min(ow, max(0, -shift));
      const hi = max(lo, min(ow, wd - shift));
      if (lo > 0) memory.fill(dst, 0, (<usize>lo) << 2);
      if (hi > lo) memory.copy(dst + ((<usize>lo) << 2), row + ((<usize>(lo + shift)) << 2), (<usize>(hi - lo)) << 2);
      if (hi < ow) memory.fill(dst + ((<usize>hi) << 2), 0, (<usize>(ow - hi)) << 2);
      continue;
    }
    for (let ox = 0; ox < ow; ox++) {
      const ix = inputIndex(ox, kx, sw, pw, dw, wd, transposed);
      store<f32>(dst + ((<usize>ox) << 2), ix < 0 ? 0 : load<f32>(row + ((<usize>ix) << 2)));
    }
  }
}
