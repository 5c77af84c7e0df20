/** Output tile edge: a 16 x 16 workgroup computes 64 output channels x 64 output pixels. */
export const CONV_TILE = 64;
/** Outputs per thread along each tile edge (a thread holds 4 x 4 accumulators). */
const PER_THREAD = 4;
/** The K step: the tiles staged in workgroup memory are 64 x 16 (weights) and 16 x 64 (patches). */
const BK = 16;

/**
 * conv2d as an implicit GEMM, one group per workgroup layer z (convTranspose2d is a matmul and
 * col2im.wgsl.ts). For group g the convolution is a matrix product
 *
 *   out_g [CoutG, P] = W_g [CoutG, K] · patches_g [K, P],   K = CinG·kH·kW,  P = N·H'·W'
 *
 * where column p of `patches` is the receptive field of output pixel p = (n, oy, ox), row
 * k = (ci, ky, kx) its input x[n, g·CinG + ci, iy, ix] with iy = oy·sh − ph + ky·dh (and ix
 * likewise; conv.cpu.ts). im2col
 * would write `patches` to memory (K·P floats: K times the input for a stride-1 kernel); the
 * implicit GEMM never does: each workgroup gathers the patch tile it needs straight from x.
 * Why this algorithm here: it is the matmul the GPU is good at, with the conv's index arithmetic
 * moved into the tile loads, no scratch buffer, and one kernel for every stride, padding, dilation
 * and group count. (It could gather the transposed direction too, but at stride s that multiplies
 * s² times as many zeros, the taps between input pixels, as useful terms: hence col2im.)
 *
 * Tiling: workgroup (x, y, z) owns output channels 64y.. and pixels 64x.. of group z; each of its
 * 16 x 16 threads owns a 4 x 4 block of outputs, channels ly + 16i and pixels lx + 16j (i, j < 4:
 * strided, so the 16 threads of a row read 16 consecutive words of a tile). Per step along K it
 * stages a 64 x 16 tile of W (rows: channels, contiguous in K for conv2d's OIHW weights) and a
 * 16 x 64 tile of patches (each thread gathers four elements, row t + ly of its four pixels) in
 * workgroup memory, synchronizes, and every thread does 16 x 16 multiply-adds from 16 x 8 reads of
 * workgroup memory (4 weights and 4 patch values per k): a register tile, as the matmul's. A thread
 * decodes its four pixels (n, oy, ox) once; per gathered element it decodes k = (ci, ky, kx).
 * Memory traffic: every weight is read once per 64 pixels and every input element about
 * kH·kW / (sh·sw) times per 64 output channels (once per output pixel whose window covers it, as
 * the patch matrix holds it that often); reads of neighbouring pixels hit the same cache lines.
 * Bounds (padding): a tap whose input row or column falls outside [0, H) x [0, W) (the zero
 * padding) loads 0; so do tiles past
 * K, CoutG or P. Threads outside CoutG x P write nothing.
 * Numerics: f32 accumulation in k = (ci, ky, kx) order, the CPU twin's order in doubles; the bias
 * is added once at the end. A padded tap adds 0·w (the twin skips it): the same sum unless w is
 * infinite or NaN.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function convWgsl(opts: { bias: boolean }): string {
  const T = CONV_TILE;
  const b = opts.bias ? 1 : 0;
  const P = PER_THREAD;
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

var<workgroup> wTile: array<array<f32, ${BK}>, ${T}>;
var<workgroup> xTile: array<array<f32, ${T}>, ${BK}>;

${convInputIndexWgsl(false)}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = wid.z;
  let plane = p.oh * p.ow;
  let taps = p.kh * p.kw;
  // This thread's four pixels (n, oy, ox): columns lid.x + 16j of the tile.
  var pix: array<u32, ${P}>;
  var pn: array<u32, ${P}>;
  var poy: array<u32, ${P}>;
  var pox: array<u32, ${P}>;
  for (var j = 0u; j < ${P}u; j++) {
    pix[j] = wid.x * ${T}u + lid.x + 16u * j;
    pn[j] = pix[j] / plane;
    poy[j] = (pix[j] % plane) / p.ow;
    pox[j] = pix[j] % p.ow;
  }
  var acc: array<array<f32, ${P}>, ${P}>;
  for (var t = 0u; t < p.kdim; t += ${BK}u) {
    // The weight tile: channels (in the group) 64·wid.y + lid.y + 16i, reduction index t + lid.x.
    for (var i = 0u; i < ${P}u; i++) {
      let co = wid.y * ${T}u + lid.y + 16u * i;
      let k = t + lid.x;
      var wv = 0.0;
      if (co < p.coutG && k < p.kdim) { wv = ws[(g * p.coutG + co) * p.kdim + k]; } // w [Cout, CinG, kH, kW]: row co is contiguous in k
      wTile[lid.y + 16u * i][lid.x] = wv;
    }
    // The patch tile: reduction index t + lid.y = (ci, ky, kx) of the four pixels, gathered from x.
    let k = t + lid.y;
    let ci = k / taps;
    let ky = (k % taps) / p.kw;
    let kx = k % p.kw;
    for (var j = 0u; j < ${P}u; j++) {
      var xv = 0.0;
      if (k < p.kdim && pix[j] < p.pixels) {
        let iy = inputIndex(poy[j], ky, p.sh, p.ph, p.dh, p.h);
        let ix = inputIndex(pox[j], kx, p.sw, p.pw, p.dw, p.w);
        if (iy >= 0 && ix >= 0) { xv = xs[((pn[j] * p.cin + g * p.cinG + ci) * p.h + u32(iy)) * p.w + u32(ix)]; }
      }
      xTile[lid.y][lid.x + 16u * j] = xv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk++) {
      var a: array<f32, ${P}>;
      var bv: array<f32, ${P}>;
      for (var i = 0u; i < ${P}u; i++) { a[i] = wTile[lid.y + 16u * i][kk]; }
      for (var j = 0u; j < ${P}u; j++) { bv[j] = xTile[kk][lid.x + 16u * j]; }
      for (var i = 0u; i < ${P}u; i++) {
        for (var j = 0u; j < ${P}u; j++) { acc[i][j] += a[i] * bv[j]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${P}u; i++) {
    let co = wid.y * ${T}u + lid.y + 16u * i;
    if (co >= p.coutG) { continue; }
    let oc = g * p.coutG + co;
    for (var j = 0u; j < ${P}u; j++) {
      if (pix[j] < p.pixels) {
        out[((pn[j] * p.cout + oc) * p.oh + poy[j]) * p.ow + pox[j]] = acc[i][j]${opts.bias ? ' + bias[oc]' : ''};
      }
    }
  }
}`;
}

/**
 * WGSL of `inputIndex(o, k, stride, pad, dil, size) -> i32`: the input row (or column) that output
 * position o reads through tap k, −1 where that is padding; transposed, where the stride does not
 * divide (conv.cpu.ts's definition). Shared by the implicit GEMM and col2im.
 */
export function convInputIndexWgsl(transposed: boolean): string {
  return transposed
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
}
