/** Output tile edge: a 16 x 16 workgroup computes 16 output channels x 16 output pixels. */
export const CONV_TILE = 16;

/**
 * Convolution as an implicit GEMM, both directions (conv2d and convTranspose2d), one group per
 * workgroup layer z. For group g the convolution is a matrix product
 *
 *   out_g [CoutG, P] = W_g [CoutG, K] · patches_g [K, P],   K = CinG·kH·kW,  P = N·H'·W'
 *
 * where column p of `patches` is the receptive field of output pixel p = (n, oy, ox), row
 * k = (ci, ky, kx) its input x[n, g·CinG + ci, iy, ix] (conv2d: iy = oy·sh − ph + ky·dh; the
 * transposed form: iy = (oy + ph − ky·dh) / sh where that divides exactly, conv.cpu.ts). im2col
 * would write `patches` to memory (K·P floats: K times the input for a stride-1 kernel); the
 * implicit GEMM never does: each workgroup gathers the patch tile it needs straight from x.
 * Why this algorithm here: it is the matmul the GPU is good at, with the conv's index arithmetic
 * moved into the tile loads, no scratch buffer, and one kernel for every stride, padding, dilation,
 * group count and for the transposed direction (only the gather and the weight index change).
 *
 * Tiling: as bmm's: workgroup (x, y, z) owns output channels 16y.. and pixels 16x.. of group z;
 * each of its 256 threads owns one output. Per step along K it stages a 16 x 16 tile of W (rows:
 * channels, contiguous in K for conv2d's OIHW weights) and a 16 x 16 tile of patches (each thread
 * gathers one element: its own pixel, row t + lid.y) in workgroup memory, synchronizes, and every
 * thread accumulates 16 products. A thread decodes its pixel (n, oy, ox) once; per element it
 * decodes k = (ci, ky, kx) with two divisions.
 * Memory traffic: every weight is read once per 16 pixels and every input element about
 * kH·kW / (sh·sw) times per 16 output channels (once per output pixel whose window covers it, as
 * the patch matrix holds it that often); reads of neighbouring pixels hit the same cache lines.
 * Bounds (padding): a tap whose input row or column falls outside [0, H) x [0, W) (the zero
 * padding), or, transposed, between input rows (stride does not divide), loads 0; so do tiles past
 * K, CoutG or P. Threads outside CoutG x P write nothing.
 * Numerics: f32 accumulation in k = (ci, ky, kx) order, the CPU twin's order in doubles; the bias
 * is added once at the end. A padded tap adds 0·w (the twin skips it): the same sum unless w is
 * infinite or NaN.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function convWgsl(opts: { transposed: boolean; bias: boolean }): string {
  const T = CONV_TILE;
  const b = opts.bias ? 1 : 0;
  // The input row/column for output position o and tap k (−1 when it reads the zero padding).
  const index = opts.transposed
    ? `fn inputIndex(o: u32, k: u32, stride: u32, pad: u32, dil: u32, size: u32) -> i32 {
  let t = i32(o + pad) - i32(k * dil);
  if (t < 0 || t % i32(stride) != 0) { return -1; }
  let i = t / i32(stride);
  return select(-1, i, i < i32(size));
}`
    : `fn inputIndex(o: u32, k: u32, stride: u32, pad: u32, dil: u32, size: u32) -> i32 {
  let i = i32(o * stride + k * dil) - i32(pad);
  return select(-1, i, i >= 0 && i < i32(size));
}`;
  // Weight of output channel co (in the group) and reduction index k = (ci, ky, kx).
  const weight = opts.transposed
    ? `ws[((g * p.cinG + k / taps) * p.coutG + co) * taps + k % taps]` // w [Cin, CoutG, kH, kW]
    : `ws[(g * p.coutG + co) * p.kdim + k]`; // w [Cout, CinG, kH, kW]: row co is contiguous in k
  return /* wgsl */ `
struct Params {
  n: u32, cin: u32, h: u32, w: u32, cout: u32, oh: u32, ow: u32, kh: u32,
  kw: u32, sh: u32, sw: u32, ph: u32, pw: u32, dh: u32, dw: u32, cinG: u32,
  coutG: u32, kdim: u32, pixels: u32, _p0: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> ws: array<f32>;
${opts.bias ? '@group(0) @binding(3) var<storage, read> bias: array<f32>;' : ''}
@group(0) @binding(${3 + b}) var<storage, read_write> out: array<f32>;

var<workgroup> wTile: array<array<f32, ${T}>, ${T}>;
var<workgroup> xTile: array<array<f32, ${T}>, ${T}>;

${index}

@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = wid.z;
  let co = wid.y * ${T}u + lid.y;   // this thread's output channel (in the group)
  let pix = wid.x * ${T}u + lid.x;  // this thread's output pixel (n, oy, ox)
  let plane = p.oh * p.ow;
  let n = pix / plane;
  let oy = (pix % plane) / p.ow;
  let ox = pix % p.ow;
  let taps = p.kh * p.kw;
  var acc = 0.0;
  for (var t = 0u; t < p.kdim; t += ${T}u) {
    // The weight tile: channel co, reduction index t + lid.x.
    let kw_ = t + lid.x;
    var wv = 0.0;
    if (co < p.coutG && kw_ < p.kdim) { let k = kw_; wv = ${weight}; }
    wTile[lid.y][lid.x] = wv;
    // The patch tile: reduction index t + lid.y = (ci, ky, kx) of pixel pix, gathered from x.
    let k = t + lid.y;
    var xv = 0.0;
    if (k < p.kdim && pix < p.pixels) {
      let ci = k / taps;
      let ky = (k % taps) / p.kw;
      let kx = k % p.kw;
      let iy = inputIndex(oy, ky, p.sh, p.ph, p.dh, p.h);
      let ix = inputIndex(ox, kx, p.sw, p.pw, p.dw, p.w);
      if (iy >= 0 && ix >= 0) { xv = xs[((n * p.cin + g * p.cinG + ci) * p.h + u32(iy)) * p.w + u32(ix)]; }
    }
    xTile[lid.y][lid.x] = xv;
    workgroupBarrier();
    for (var kk = 0u; kk < ${T}u; kk++) { acc += wTile[lid.y][kk] * xTile[kk][lid.x]; }
    workgroupBarrier();
  }
  if (co < p.coutG && pix < p.pixels) {
    let oc = g * p.coutG + co;
    out[((n * p.cout + oc) * p.oh + oy) * p.ow + ox] = acc${opts.bias ? ' + bias[oc]' : ''};
  }
}`;
}
