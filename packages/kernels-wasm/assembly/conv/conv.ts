/**
 * The wasm convolution's own kernels (the twins of packages/ops/src/conv; its conv.cpu.ts states
 * the sum each output is): conv2dF32, conv2d as a direct GEMM that writes NCHW itself, and
 * col2imF32, convTranspose2d's second half after the matmul kernel (matmul/matmul.ts).
 *
 * conv2dF32, why a direct GEMM: conv2d is the product W_g [CoutG, K] · col [K, pixels] (K =
 * CinG·kH·kW, col the patches). The first version wrote the whole col (MBs, out of cache), let the
 * matmul pack it a second time and copied the [pixels, Cout] product into NCHW: three passes
 * over memory and three dispatches, and it ran at 0.35-0.85x tfjs-wasm's XNNPACK on the bench's
 * convolutions. Here the patches never leave the cache and the product lands in NCHW:
 *
 *   - an item is one image's band of R output rows (the launcher picks R: whole images when there
 *     are enough for every thread, else bands). Its input rows are copied once into a zero-padded
 *     band [CinG][Rb][Wp] (Rb = (R−1)·sh + (kH−1)·dh + 1 rows, Wp = (W'−1)·sw + (kW−1)·dw + 1
 *     columns, the padding as zeros), so no tap tests a bound;
 *   - for 8 output pixels of one row, a panel [K][8] gathers their patches: for each tap
 *     (ci, ky, kx) 8 band floats at stride sw (two f32x4 loads at stride 1, four loads and two
 *     shuffles at stride 2, scalar otherwise), the layout of the matmul's B panels;
 *   - the group's weights are packed once as the matmul's A panels [CoutG/MR][K][MR] (zeros past
 *     CoutG), and each MR x 8 register tile (matmul/matmul.ts's inner loop: 10 fused
 *     multiply-adds per step in the relaxed-SIMD build, 8 mul + add in SIMD128) runs over all of
 *     K, then stores MR channels' 8 pixels, which are contiguous in NCHW (+ bias).
 *
 * The pixels path (the launcher's rule: not pointwise, rows narrower than 8 pixels and K <= 512).
 * There the panels above waste columns (a 7-pixel row fills 7 of 8) and, with few channels (D
 * c1: 100x16x14x14 -> 32, k4 s2, 7 x 7 outputs, K = 256), packing is a large share (profile of
 * that case on 1 thread: band + launch 17%, packing 12%, tile 70%; 31 GFLOP/s). So the roles
 * swap: the tile's 8-wide side is 8 output channels (the weights packed once as panels
 * [CoutG/8][K] of 48-byte steps: 8 weights, zeros past CoutG, and the tap's band offset) and its
 * other side 4 consecutive pixels of the item, across rows, each tap value splatted straight
 * from the band (pixel offset + tap offset): nothing packed per pixel, no column wasted (49
 * pixels: 12 tiles of 4 and one of 1). The 4 x 8 sums are written transposed into NCHW (+ bias).
 * 4 pixels, not 5: V8 loads the splats before the multiply-adds, and 10 accumulators + 2 weight
 * vectors + 5 splats spilled an accumulator (25 GFLOP/s); 8 + 2 + 4 fit its 15 registers (34,
 * and 36 with the band's short rows written by f32x4 stores). K <= 512 keeps a panel (K·48
 * bytes) in L1 for all the item's pixels; a weight gradient's K (thousands) keeps the 8-pixel
 * panels, whose weight strips stream 20 bytes a step against 48.
 *
 * Memory traffic: x is read once per item (plus the band's halo rows), each panel is built in L1
 * (K·32 bytes) and reused by the CoutG/MR tiles, the weights (CoutG·K floats) stay in L2, the
 * output is written once. Packing a panel costs K·8 copies against 2·CoutG·K·8 flops. On the
 * pixels path the band and a weight panel (K·48 bytes) stay in L1 while the item's pixels pass.
 *
 * Threads: items are taken from an atomic counter (scratch[0], zeroed by the launcher), so a
 * thread that loses its core does fewer; the weight strips are packed once, by whichever unit
 * claims each first (an atomic state per strip, as the matmul's panels; a copy per unit cost up
 * to 8 x CoutG·K scalar copies, ~10% of the 5x5 case on two threads). Numerics: every output is one tile's running f32 sum
 * over K in (ci, ky, kx) order, the twin's order (it sums in doubles), then + bias: the same
 * instructions whoever computes it, so 1 and N threads give the same bits; the error bound is
 * the matmul's (about K·eps32·Σ|x·w|). The pixels path does the same multiply-adds in the same
 * order (a·b = b·a, fused or not), so it gives the same bits as the 8-pixel panels.
 *
 * Bounds: the band holds the item's rows of the padded input plus 8·sw + 8 floats of slack, so
 * a panel's vector loads past the end of its row stay inside the band (the extra columns are
 * discarded: a tile cut by the row's end or by the last channels writes only its part, through
 * the unit's edge buffer). The pixels path reads only band floats of real pixels (a tile's
 * missing pixels repeat its first) and writes only channels < CoutG. x is read only at rows
 * [0, H) and columns [0, W) of group g.
 *
 * Scratch (one block from the launcher): [0, 64) the item counter, the strip (or panel) states,
 * the packed weights, then per unit the band, the panel (none on the pixels path) and the edge
 * tile, at the offsets the launcher passes after dims.
 * dims: [n, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups], then the plan
 * (its last number: 1 for the pixels path).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { dim } from '../shared/strided';
import { madd } from '../shared/fma';
import { MATMUL_MR } from '../matmul/matmul';

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

/** Rows of the register tile (output channels): the matmul's MR (4, or 5 in the relaxed-SIMD build). */
const MR: i32 = MATMUL_MR;
/** Bytes of one k step of a packed weight strip (MR floats). */
const A_STEP: usize = <usize>MR << 2;

/**
 * conv2d's direct GEMM (see the header): x dense NCHW, w dense [Cout, CinG, kH, kW], bias 0 or
 * [Cout], out dense [N, Cout, H', W']; g: the group computed; dims: the header's 16 numbers, then
 * the launcher's plan [R, Rb, Wp, packA, band, panel, edge, unitBytes, regions, pixels] (output
 * rows per item, band rows, band row pitch in floats; the packed weights' byte offset in scratch;
 * the band's, panel's and edge tile's byte offsets in a unit's region, its size, and the first
 * region's offset in scratch; 1: the pixels path, conv2dByPixels); scratch: [0, 64) the item counter, then one state per weight strip
 * (both zeroed by the launcher), the packed weights, then one region per unit.
 */
export function conv2dF32(x: usize, w: usize, bias: usize, out: usize, g: i32, dims: usize, scratch: usize, tid: i32, nthreads: i32): void {
  const n = dim(dims, 0), cin = dim(dims, 1), h = dim(dims, 2), wd = dim(dims, 3), cout = dim(dims, 4);
  const oh = dim(dims, 5), ow = dim(dims, 6), kh = dim(dims, 7), kw = dim(dims, 8);
  const sh = dim(dims, 9), sw = dim(dims, 10), ph = dim(dims, 11), pw = dim(dims, 12), dh = dim(dims, 13), dw = dim(dims, 14);
  const groups = dim(dims, 15);
  const rowsPerItem = dim(dims, 16), rb = dim(dims, 17), wp = dim(dims, 18);
  if (dim(dims, 25) != 0) {
    conv2dByPixels(x, w, bias, out, g, dims, scratch, tid);
    return;
  }
  const region = scratch + <usize>dim(dims, 24) + <usize>tid * <usize>dim(dims, 23);
  const packA = scratch + <usize>dim(dims, 19);
  const band = region + <usize>dim(dims, 20);
  const panel = region + <usize>dim(dims, 21);
  const edge = region + <usize>dim(dims, 22);
  const cinG = cin / groups;
  const coutG = cout / groups;
  const kdim = cinG * kh * kw;
  const strips = (coutG + MR - 1) / MR;
  const bandsPerImage = (oh + rowsPerItem - 1) / rowsPerItem;
  const items = n * bandsPerImage;
  const plane = (<usize>(oh * ow)) << 2;
  const wpBytes = (<usize>wp) << 2;
  let t = atomic.add<i32>(scratch, 1);
  if (t >= items) return;
  // The group's weights as MR-row strips [strips][K][MR] (zeros past CoutG), packed once for all
  // units: a unit packs every strip nobody has claimed, then waits for those another is packing.
  const states = scratch + 64;
  let waiting = false;
  for (let q = 0; q < strips; q++) {
    const state = states + ((<usize>q) << 2);
    if (atomic.load<i32>(state) == PACKED) continue;
    if (atomic.cmpxchg<i32>(state, UNPACKED, PACKING) != UNPACKED) {
      waiting = true;
      continue;
    }
    packStrip(w + ((<usize>(g * coutG) * <usize>kdim) << 2), coutG, kdim, q, packA + <usize>q * <usize>kdim * A_STEP);
    atomic.store<i32>(state, PACKED); // sequentially consistent: whoever reads PACKED sees the floats
  }
  if (waiting) {
    for (let q = 0; q < strips; q++) {
      while (atomic.load<i32>(states + ((<usize>q) << 2)) != PACKED) {}
    }
  }
  for (; t < items; t = atomic.add<i32>(scratch, 1)) {
    const b = t / bandsPerImage;
    const oy0 = (t % bandsPerImage) * rowsPerItem;
    const oy1 = min(oh, oy0 + rowsPerItem);
    // The band: input rows iyLo .. iyLo + rows of the group's channels, zero-padded, [CinG][Rb][Wp].
    const iyLo = oy0 * sh - ph;
    const rows = (oy1 - 1 - oy0) * sh + (kh - 1) * dh + 1;
    // A pointwise conv (1 x 1, stride 1, no padding) reads x itself: no band.
    const pointwise = kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
    const image = x + ((<usize>((b * cin + g * cinG) * h) * <usize>wd) << 2);
    if (!pointwise) fillBand(x, band, b, cin, g, cinG, h, wd, iyLo, rows, rb, wp, pw, sw, wpBytes);
    // The panels: 8 output pixels' patches each, [K][8] (k in the weights' (ci, ky, kx) order),
    // walked in the output's order. Rows of 6 or more pixels are cut into panels row by row
    // (the pixels of one row read the band at a fixed stride: vector copies); narrower rows (a
    // weight gradient's kH x kW outputs) are walked as one run of the item's pixels, 8 at a time
    // across rows (gathered one float at a time), so a panel is not mostly padding; so are a
    // pointwise conv's (its pixels are contiguous in x's channel planes: vector copies).
    const across = ow <= 5 || pointwise;
    const pEnd = oy1 * ow;
    let p = oy0 * ow;
    while (p < pEnd) {
      const oy = p / ow;
      const ox0 = p % ow;
      const span = across ? min(8, pEnd - p) : min(8, ow - ox0);
      const rowAt = band + <usize>((oy - oy0) * sh) * wpBytes + ((<usize>(ox0 * sw)) << 2);
      if (pointwise) packPointwise(image, panel, p, span, cinG, (<usize>(h * wd)) << 2);
      else if (ox0 + span <= ow) packRow(rowAt, panel, cinG, kh, kw, rb, dh, dw, sw, wpBytes);
      else packAcross(band, panel, p, span, oy0, ow, sh, sw, cinG, kh, kw, rb, dh, dw, wpBytes);
      // A panel cut by the row's end writes all 8 columns when the pixels it overwrites past the
      // row are this item's own later ones (rewritten when their panel comes): full-tile
      // stores instead of the edge tile, for every panel but the item's last.
      const cols = p + 8 <= pEnd ? 8 : span;
      const c = out + ((<usize>((b * cout + g * coutG) * oh * ow + p)) << 2);
      for (let s = 0; s < strips; s++) {
        const co = s * MR;
        const pa = packA + <usize>s * <usize>kdim * A_STEP;
        const rows = min(MR, coutG - co);
        const at = c + <usize>co * plane;
        const bs = bias ? bias + ((<usize>(g * coutG + co)) << 2) : 0;
        // The last strip's rows alone where it has few (16 or 32 channels with MR = 5): no
        // multiply-adds on its zero rows.
        if (rows <= 2) shortTile(pa, panel, kdim, at, plane, rows, cols, bs, edge, false);
        else if (MR == 5 && rows <= 4) shortTile(pa, panel, kdim, at, plane, rows, cols, bs, edge, true);
        else tile(pa, panel, kdim, at, plane, rows, cols, bs, edge);
      }
      p += span;
    }
  }
}

/**
 * conv2dF32's pixels path (rows narrower than 8 pixels, K <= 512, not pointwise; the launcher's
 * rule, see the header): the tile's 8-wide side is 8 output channels (the group's weights packed
 * once as panels [CoutG/8][K] of 48-byte steps: 8 weights, zeros past CoutG, and tap k's band
 * offset) and its other side PR = 4 consecutive pixels of the item, across rows; each step splats
 * the 4 pixels' tap values straight from the band (pixel offset + the tap's), so nothing is
 * packed per pixel and no column is wasted past a row's end. The 4 x 8 sums [pixels][channels]
 * are parked in the edge buffer and written transposed into NCHW (+ bias).
 */
function conv2dByPixels(x: usize, w: usize, bias: usize, out: usize, g: i32, dims: usize, scratch: usize, tid: i32): void {
  const n = dim(dims, 0), cin = dim(dims, 1), h = dim(dims, 2), wd = dim(dims, 3), cout = dim(dims, 4);
  const oh = dim(dims, 5), ow = dim(dims, 6), kh = dim(dims, 7), kw = dim(dims, 8);
  const sh = dim(dims, 9), sw = dim(dims, 10), pw = dim(dims, 12), dh = dim(dims, 13), dw = dim(dims, 14);
  const ph = dim(dims, 11);
  const groups = dim(dims, 15);
  const rowsPerItem = dim(dims, 16), rb = dim(dims, 17), wp = dim(dims, 18);
  const region = scratch + <usize>dim(dims, 24) + <usize>tid * <usize>dim(dims, 23);
  const packB = scratch + <usize>dim(dims, 19);
  const band = region + <usize>dim(dims, 20);
  const edge = region + <usize>dim(dims, 22);
  const cinG = cin / groups;
  const coutG = cout / groups;
  const kdim = cinG * kh * kw;
  const panels = (coutG + 7) >> 3;
  const bandsPerImage = (oh + rowsPerItem - 1) / rowsPerItem;
  const items = n * bandsPerImage;
  const planePixels = oh * ow;
  const wpBytes = (<usize>wp) << 2;
  let t = atomic.add<i32>(scratch, 1);
  if (t >= items) return;
  // The weight panels, packed once for all units (as conv2dF32's strips).
  const states = scratch + 64;
  let waiting = false;
  for (let q = 0; q < panels; q++) {
    const state = states + ((<usize>q) << 2);
    if (atomic.load<i32>(state) == PACKED) continue;
    if (atomic.cmpxchg<i32>(state, UNPACKED, PACKING) != UNPACKED) {
      waiting = true;
      continue;
    }
    packPanel(w + ((<usize>(g * coutG) * <usize>kdim) << 2), coutG, kdim, q, packB + <usize>q * <usize>kdim * PX_STEP, cinG, kh, kw, rb, dh, dw, wpBytes);
    atomic.store<i32>(state, PACKED);
  }
  if (waiting) {
    for (let q = 0; q < panels; q++) {
      while (atomic.load<i32>(states + ((<usize>q) << 2)) != PACKED) {}
    }
  }
  for (; t < items; t = atomic.add<i32>(scratch, 1)) {
    const b = t / bandsPerImage;
    const oy0 = (t % bandsPerImage) * rowsPerItem;
    const oy1 = min(oh, oy0 + rowsPerItem);
    const iyLo = oy0 * sh - ph;
    const rows = (oy1 - 1 - oy0) * sh + (kh - 1) * dh + 1;
    fillBand(x, band, b, cin, g, cinG, h, wd, iyLo, rows, rb, wp, pw, sw, wpBytes);
    const pEnd = oy1 * ow;
    const image = out + ((<usize>((b * cout + g * coutG) * planePixels)) << 2);
    for (let q = 0; q < panels; q++) {
      const pb = packB + <usize>q * <usize>kdim * PX_STEP;
      const chans = min(8, coutG - q * 8);
      const c = image + ((<usize>(q * 8 * planePixels)) << 2);
      const bs = bias ? bias + ((<usize>(g * coutG + q * 8)) << 2) : 0;
      for (let p = oy0 * ow; p < pEnd; p += PR) {
        const span = min(PR, pEnd - p);
        pixelTile(band, pb, kdim, p, span, oy0, ow, sh, sw, wpBytes, edge);
        // The parked sums [4][8] (pixels x channels), written transposed: channel r's span pixels.
        for (let r = 0; r < chans; r++) {
          const row = c + ((<usize>(r * planePixels + p)) << 2);
          const bv: f32 = bs ? load<f32>(bs + ((<usize>r) << 2)) : 0;
          for (let j = 0; j < span; j++) {
            const s = load<f32>(edge + ((<usize>(j * 8 + r)) << 2));
            store<f32>(row + ((<usize>j) << 2), bs ? s + bv : s);
          }
        }
      }
    }
  }
}

/**
 * Panel q of the group's weights wg [CoutG, K] as [K] steps of 48 bytes: the 8 weights
 * wg[q·8 + r, k] (zeros past CoutG), then tap k's band byte offset (i32; see conv2dByPixels) and
 * 12 bytes of padding, so the tile walks one pointer.
 */
@inline
function packPanel(wg: usize, coutG: i32, kdim: i32, q: i32, dst: usize, cinG: i32, kh: i32, kw: i32, rb: i32, dh: i32, dw: i32, wpBytes: usize): void {
  for (let r = 0; r < 8; r++) {
    const co = q * 8 + r;
    let d = dst + ((<usize>r) << 2);
    const src = wg + ((<usize>co * <usize>kdim) << 2);
    for (let k = 0; k < kdim; k++) {
      store<f32>(d, co < coutG ? load<f32>(src + ((<usize>k) << 2)) : 0);
      d += PX_STEP;
    }
  }
  let d = dst + 32;
  for (let ci = 0; ci < cinG; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        store<i32>(d, <i32>(<usize>(ci * rb + ky * dh) * wpBytes + ((<usize>(kx * dw)) << 2)));
        store<i32>(d, 0, 4);
        store<i64>(d, 0, 8);
        d += PX_STEP;
      }
    }
  }
}

/** Bytes of one k step of a weight panel of the pixels path: 8 weights, the tap's offset, padding. */
const PX_STEP: usize = 48;
/** Pixels of the pixels path's tile (4 in both builds; see pixelTile). */
const PR: i32 = 4;

/**
 * The pixels path's 4 x 8 tile: `span` (<= 4) pixels from the item's pixel p on (the missing ones
 * repeat the first), the 8 channels of the panel pb, over all of K: each step loads the tap's
 * offset and 8 weights, splats each pixel's value (one load each) and multiplies: the same
 * multiply-adds in the same order as tile's (so the same sums). 8 accumulators, 2 weight vectors
 * and 4 splats fit the 15 SIMD registers V8 allocates (5 pixels spilled an accumulator: 25 against
 * 34 GFLOP/s). Parks the sums as [4][8] in edge.
 */
@inline
function pixelTile(
  band: usize, pb: usize, kdim: i32, p: i32, span: i32, oy0: i32, ow: i32, sh: i32, sw: i32, wpBytes: usize, edge: usize,
): void {
  const o0 = band + pixelAt(p, oy0, ow, sh, sw, wpBytes);
  const o1 = span > 1 ? band + pixelAt(p + 1, oy0, ow, sh, sw, wpBytes) : o0;
  const o2 = span > 2 ? band + pixelAt(p + 2, oy0, ow, sh, sw, wpBytes) : o0;
  const o3 = span > 3 ? band + pixelAt(p + 3, oy0, ow, sh, sw, wpBytes) : o0;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + <usize>kdim * PX_STEP;
  while (pb < end) {
    const off = <usize>load<i32>(pb, 32);
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let s = v128.load32_splat(o0 + off);
    c00 = madd(s, b0, c00);
    c01 = madd(s, b1, c01);
    s = v128.load32_splat(o1 + off);
    c10 = madd(s, b0, c10);
    c11 = madd(s, b1, c11);
    s = v128.load32_splat(o2 + off);
    c20 = madd(s, b0, c20);
    c21 = madd(s, b1, c21);
    s = v128.load32_splat(o3 + off);
    c30 = madd(s, b0, c30);
    c31 = madd(s, b1, c31);
    pb += PX_STEP;
  }
  parkTile(edge, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** Parks a 4 x 8 tile's sums in edge as [4][8]. */
@inline
function parkTile(edge: usize, c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  v128.store(edge, c00);
  v128.store(edge, c01, 16);
  v128.store(edge, c10, 32);
  v128.store(edge, c11, 48);
  v128.store(edge, c20, 64);
  v128.store(edge, c21, 80);
  v128.store(edge, c30, 96);
  v128.store(edge, c31, 112);
}

/**
 * The item's band (see the header): input rows iyLo .. iyLo + rows of image b's group-g channels,
 * [CinG][Rb][Wp], every float written once: a copied run of x or a zero (padding, rows outside x,
 * rows past the item's, and the 8·sw + 8 floats of slack at the end).
 */
@inline
function fillBand(
  x: usize, band: usize, b: i32, cin: i32, g: i32, cinG: i32, h: i32, wd: i32,
  iyLo: i32, rows: i32, rb: i32, wp: i32, pw: i32, sw: i32, wpBytes: usize,
): void {
  const cnt = min(wd, wp - pw);
  const padRight = (<usize>max(0, wp - pw - max(cnt, 0))) << 2;
  const padLeft = (<usize>min(pw, wp)) << 2;
  const short = wp <= 64;
  const zero = f32x4.splat(0);
  for (let ci = 0; ci < cinG; ci++) {
    const src = x + ((<usize>((b * cin + g * cinG + ci) * h) * <usize>wd) << 2);
    let dst = band + <usize>(ci * rb) * wpBytes;
    for (let r = 0; r < rb; r++) {
      const iy = iyLo + r;
      if (short) {
        // A short row (<= 64 floats) by f32x4 stores, not three memory.fill / memory.copy calls
        // (a call each into the engine: 17% of a 7 x 7 output's time went to the band and the
        // launch): zeros over the whole row (the last store may run up to 3 floats into the next
        // row, written after it, or into the slack), then x's run over it.
        for (let o: usize = 0; o < wpBytes; o += 16) v128.store(dst + o, zero);
        if (r < rows && iy >= 0 && iy < h && cnt > 0) {
          const from = src + ((<usize>(iy * wd)) << 2);
          const to = dst + padLeft;
          let i = 0;
          for (; i + 4 <= cnt; i += 4) v128.store(to + ((<usize>i) << 2), v128.load(from + ((<usize>i) << 2)));
          for (; i < cnt; i++) store<f32>(to + ((<usize>i) << 2), load<f32>(from + ((<usize>i) << 2)));
        }
      } else if (r >= rows || iy < 0 || iy >= h || cnt <= 0) memory.fill(dst, 0, wpBytes);
      else {
        memory.fill(dst, 0, padLeft);
        memory.copy(dst + padLeft, src + ((<usize>(iy * wd)) << 2), (<usize>cnt) << 2);
        memory.fill(dst + padLeft + ((<usize>cnt) << 2), 0, padRight);
      }
      dst += wpBytes;
    }
  }
  memory.fill(band + <usize>(cinG * rb) * wpBytes, 0, (<usize>(8 * sw + 8)) << 2);
}

/**
 * A panel of a pointwise conv: `span` (<= 8) consecutive pixels from p on, straight from the
 * image's channel planes (contiguous across rows): two f32x4 copies per channel, or span scalar
 * copies and zeros for the image's last panel (no read past its plane).
 */
@inline
function packPointwise(image: usize, panel: usize, p: i32, span: i32, cinG: i32, planeBytes: usize): void {
  let src = image + ((<usize>p) << 2);
  let d = panel;
  for (let ci = 0; ci < cinG; ci++) {
    if (span == 8) {
      v128.store(d, v128.load(src));
      v128.store(d, v128.load(src, 16), 16);
    } else {
      for (let j = 0; j < 8; j++) store<f32>(d + ((<usize>j) << 2), j < span ? load<f32>(src + ((<usize>j) << 2)) : 0);
    }
    src += planeBytes;
    d += 32;
  }
}

/**
 * A panel of 8 pixels of one output row, the first at `at` in the band: for each tap, 8 floats at
 * stride sw (two f32x4 loads at stride 1, four loads and two shuffles at stride 2, scalar
 * otherwise). Columns past the row read the band's next floats (discarded by the tiles).
 */
@inline
function packRow(at: usize, panel: usize, cinG: i32, kh: i32, kw: i32, rb: i32, dh: i32, dw: i32, sw: i32, wpBytes: usize): void {
  let d = panel;
  for (let ci = 0; ci < cinG; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      let p = at + <usize>(ci * rb + ky * dh) * wpBytes;
      for (let kx = 0; kx < kw; kx++) {
        if (sw == 1) {
          v128.store(d, v128.load(p));
          v128.store(d, v128.load(p, 16), 16);
        } else if (sw == 2) {
          v128.store(d, v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6));
          v128.store(d, v128.shuffle<f32>(v128.load(p, 32), v128.load(p, 48), 0, 2, 4, 6), 16);
        } else {
          const step = (<usize>sw) << 2;
          for (let j = 0; j < 8; j++) store<f32>(d + ((<usize>j) << 2), load<f32>(p + <usize>j * step));
        }
        d += 32;
        p += (<usize>dw) << 2;
      }
    }
  }
}

/** The band byte offset of the item's pixel q (its tap (0, 0, 0)), for packAcross. */
@inline
function pixelAt(q: i32, oy0: i32, ow: i32, sh: i32, sw: i32, wpBytes: usize): usize {
  return <usize>((q / ow - oy0) * sh) * wpBytes + ((<usize>((q % ow) * sw)) << 2);
}

/**
 * A panel of `span` (<= 8) consecutive pixels from the item's pixel p on, across rows: each
 * column's band offset once, then 8 scalar copies per tap (columns past span repeat the first).
 */
@inline
function packAcross(
  band: usize, panel: usize, p: i32, span: i32, oy0: i32, ow: i32, sh: i32, sw: i32,
  cinG: i32, kh: i32, kw: i32, rb: i32, dh: i32, dw: i32, wpBytes: usize,
): void {
  const o0 = band + pixelAt(p, oy0, ow, sh, sw, wpBytes);
  const o1 = span > 1 ? band + pixelAt(p + 1, oy0, ow, sh, sw, wpBytes) : o0;
  const o2 = span > 2 ? band + pixelAt(p + 2, oy0, ow, sh, sw, wpBytes) : o0;
  const o3 = span > 3 ? band + pixelAt(p + 3, oy0, ow, sh, sw, wpBytes) : o0;
  const o4 = span > 4 ? band + pixelAt(p + 4, oy0, ow, sh, sw, wpBytes) : o0;
  const o5 = span > 5 ? band + pixelAt(p + 5, oy0, ow, sh, sw, wpBytes) : o0;
  const o6 = span > 6 ? band + pixelAt(p + 6, oy0, ow, sh, sw, wpBytes) : o0;
  const o7 = span > 7 ? band + pixelAt(p + 7, oy0, ow, sh, sw, wpBytes) : o0;
  let d = panel;
  for (let ci = 0; ci < cinG; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      let t = <usize>(ci * rb + ky * dh) * wpBytes;
      for (let kx = 0; kx < kw; kx++) {
        store<f32>(d, load<f32>(o0 + t));
        store<f32>(d, load<f32>(o1 + t), 4);
        store<f32>(d, load<f32>(o2 + t), 8);
        store<f32>(d, load<f32>(o3 + t), 12);
        store<f32>(d, load<f32>(o4 + t), 16);
        store<f32>(d, load<f32>(o5 + t), 20);
        store<f32>(d, load<f32>(o6 + t), 24);
        store<f32>(d, load<f32>(o7 + t), 28);
        d += 32;
        t += (<usize>dw) << 2;
      }
    }
  }
}

// Weight strip states (one i32 each, zeroed by the launcher): nobody has it, being packed, packed.
const UNPACKED = 0, PACKING = 1, PACKED = 2;

/** Strip q of the group's weights wg [CoutG, K] as [K][MR]: dst[k·MR + r] = wg[q·MR + r, k], zeros past CoutG. */
@inline
function packStrip(wg: usize, coutG: i32, kdim: i32, q: i32, dst: usize): void {
  for (let r = 0; r < MR; r++) {
    const co = q * MR + r;
    let d = dst + ((<usize>r) << 2);
    if (co >= coutG) {
      for (let k = 0; k < kdim; k++) {
        store<f32>(d, 0);
        d += A_STEP;
      }
      continue;
    }
    const src = wg + ((<usize>co * <usize>kdim) << 2);
    for (let k = 0; k < kdim; k++) {
      store<f32>(d, load<f32>(src + ((<usize>k) << 2)));
      d += A_STEP;
    }
  }
}

/**
 * One MR x 8 register tile over the whole of K (the matmul's inner loop, matmul/matmul.ts): pa a
 * weight strip [K][MR], pb a panel [K][8]; c the tile's first output, ldc bytes between output
 * channels; rows and cols the part inside the output; bias (0: none) the strip's first bias.
 */
@inline
function tile(pa: usize, pb: usize, kdim: i32, c: usize, ldc: usize, rows: i32, cols: i32, bias: usize, edge: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0); // the fifth row: relaxed-SIMD build only
  const end = pb + ((<usize>kdim) << 5);
  if (MR == 5) {
    // As in the matmul: rows 0-3 broadcast by shuffles from one f32x4, row 4 one splat load (15 registers).
    while (pb < end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a = v128.load(pa);
      let x = v128.shuffle<f32>(a, a, 0, 0, 0, 0);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      x = v128.shuffle<f32>(a, a, 1, 1, 1, 1);
      c10 = madd(x, b0, c10);
      c11 = madd(x, b1, c11);
      x = v128.shuffle<f32>(a, a, 2, 2, 2, 2);
      c20 = madd(x, b0, c20);
      c21 = madd(x, b1, c21);
      x = v128.shuffle<f32>(a, a, 3, 3, 3, 3);
      c30 = madd(x, b0, c30);
      c31 = madd(x, b1, c31);
      x = v128.load32_splat(pa, 16);
      c40 = madd(x, b0, c40);
      c41 = madd(x, b1, c41);
      pa += A_STEP;
      pb += 32;
    }
  } else {
    while (pb < end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let x = v128.load32_splat(pa);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      x = v128.load32_splat(pa, 4);
      c10 = madd(x, b0, c10);
      c11 = madd(x, b1, c11);
      x = v128.load32_splat(pa, 8);
      c20 = madd(x, b0, c20);
      c21 = madd(x, b1, c21);
      x = v128.load32_splat(pa, 12);
      c30 = madd(x, b0, c30);
      c31 = madd(x, b1, c31);
      pa += A_STEP;
      pb += 32;
    }
  }
  if (rows == MR && cols == 8) {
    storeRow(c, c00, c01, bias);
    storeRow(c + ldc, c10, c11, bias ? bias + 4 : 0);
    storeRow(c + 2 * ldc, c20, c21, bias ? bias + 8 : 0);
    storeRow(c + 3 * ldc, c30, c31, bias ? bias + 12 : 0);
    if (MR == 5) storeRow(c + 4 * ldc, c40, c41, bias ? bias + 16 : 0);
    return;
  }
  // Cut by the last channel or the end of the output row: park the sums, write the part inside.
  v128.store(edge, c00);
  v128.store(edge, c01, 16);
  v128.store(edge, c10, 32);
  v128.store(edge, c11, 48);
  v128.store(edge, c20, 64);
  v128.store(edge, c21, 80);
  v128.store(edge, c30, 96);
  v128.store(edge, c31, 112);
  if (MR == 5) {
    v128.store(edge, c40, 128);
    v128.store(edge, c41, 144);
  }
  finishEdge(c, ldc, rows, cols, bias, edge);
}

/**
 * The tile of a strip with fewer rows than MR: rows 0-1, or 0-3 when `four` (the relaxed-SIMD
 * build's 5-row strips), the same multiply-adds in the same order as tile's for those rows (so the
 * same bits), 4 or 8 per step instead of 2·MR. The strip's layout is unchanged ([K][MR]).
 */
@inline
function shortTile(pa: usize, pb: usize, kdim: i32, c: usize, ldc: usize, rows: i32, cols: i32, bias: usize, edge: usize, four: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + ((<usize>kdim) << 5);
  if (four) {
    while (pb < end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a = v128.load(pa);
      let x = v128.shuffle<f32>(a, a, 0, 0, 0, 0);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      x = v128.shuffle<f32>(a, a, 1, 1, 1, 1);
      c10 = madd(x, b0, c10);
      c11 = madd(x, b1, c11);
      x = v128.shuffle<f32>(a, a, 2, 2, 2, 2);
      c20 = madd(x, b0, c20);
      c21 = madd(x, b1, c21);
      x = v128.shuffle<f32>(a, a, 3, 3, 3, 3);
      c30 = madd(x, b0, c30);
      c31 = madd(x, b1, c31);
      pa += A_STEP;
      pb += 32;
    }
  } else {
    while (pb < end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let x = v128.load32_splat(pa);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      x = v128.load32_splat(pa, 4);
      c10 = madd(x, b0, c10);
      c11 = madd(x, b1, c11);
      pa += A_STEP;
      pb += 32;
    }
  }
  v128.store(edge, c00);
  v128.store(edge, c01, 16);
  v128.store(edge, c10, 32);
  v128.store(edge, c11, 48);
  v128.store(edge, c20, 64);
  v128.store(edge, c21, 80);
  v128.store(edge, c30, 96);
  v128.store(edge, c31, 112);
  finishEdge(c, ldc, rows, cols, bias, edge);
}

/** Writes the part of a parked tile (edge, [MR][8]) inside the output: rows x cols, + bias. */
@inline
function finishEdge(c: usize, ldc: usize, rows: i32, cols: i32, bias: usize, edge: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * ldc;
    const bv: f32 = bias ? load<f32>(bias + ((<usize>r) << 2)) : 0;
    for (let j = 0; j < cols; j++) {
      const s = load<f32>(edge + ((<usize>(r * 8 + j)) << 2));
      store<f32>(row + ((<usize>j) << 2), bias ? s + bv : s);
    }
  }
}

/** One output channel's 8 pixels: the sums, + its bias (0: none). */
@inline
function storeRow(c: usize, v0: v128, v1: v128, bias: usize): void {
  if (bias) {
    const bv = v128.load32_splat(bias);
    v0 = f32x4.add(v0, bv);
    v1 = f32x4.add(v1, bv);
  }
  v128.store(c, v0);
  v128.store(c, v1, 16);
}

/**
 * convTranspose2d's second half on wasm (col2im as a gather). The launcher has computed, with the
 * matmul kernel, col [CoutG·kH·kW, N·H·W] = W_gᵀ · x_g: entry ((co, ky, kx), (n, iy, ix)) is input
 * pixel (iy, ix)'s contribution to output channel co through tap (ky, kx), summed over the group's
 * input channels. Each output element then sums the (at most kH·kW) entries that land on it:
 * out[n, g·CoutG + co, oy, ox] = Σ_{ky, kx} col[(co, ky, kx), (n, iy, ix)] + bias, with
 * iy = (oy + ph − ky·dh) / sh where that divides exactly (the transposed gather of the header), so
 * the GEMM multiplies no padding zeros: the useful flops only, where the im2col form of the
 * transposed direction would multiply sh·sw times as many.
 *
 * Why col is [taps, pixels] (the matmul's rows are the taps): for one tap and one output row the
 * entries needed are one run of an input row, contiguous in col, so a thread owns whole output
 * rows (n, co, oy), clears the row, and adds each valid tap's run into it in (ky, kx) order (f32x4
 * at stride 1, every sw-th output otherwise), then the bias. The transposed layout [pixels, taps]
 * had each output read kH·kW entries a row of col apart: 3-10x slower on the bench's shapes.
 * Each output is summed in (ky, kx) order in f32 and written by one thread: no atomics, and 1 and
 * N threads give the same bits. Memory traffic: col is read once, in runs; the output row stays
 * in L1.
 * bias: 0 for none; dims as in the header.
 */
export function col2imF32(col: usize, out: usize, bias: usize, g: i32, dims: usize, tid: i32, nthreads: i32): void {
  const n = dim(dims, 0), h = dim(dims, 2), wd = dim(dims, 3), cout = dim(dims, 4);
  const oh = dim(dims, 5), ow = dim(dims, 6), kh = dim(dims, 7), kw = dim(dims, 8);
  const sh = dim(dims, 9), sw = dim(dims, 10), ph = dim(dims, 11), pw = dim(dims, 12), dh = dim(dims, 13), dw = dim(dims, 14);
  const groups = dim(dims, 15);
  const coutG = cout / groups;
  const taps = kh * kw;
  const pixels = <usize>(n * h * wd);
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
    memory.fill(dst, 0, (<usize>ow) << 2);
    for (let ky = 0; ky < kh; ky++) {
      const iy = inputIndex(oy, ky, sh, ph, dh, h, true);
      if (iy < 0) continue;
      for (let kx = 0; kx < kw; kx++) {
        const src = col + ((<usize>(co * taps + ky * kw + kx) * pixels + <usize>((b * h + iy) * wd)) << 2);
        // Output ox reads input column ix = (ox + t) / sw where that divides exactly.
        const t = pw - kx * dw;
        let ox = max(0, -t);
        const rem = (ox + t) % sw;
        if (rem != 0) ox += sw - rem;
        let ix = (ox + t) / sw;
        if (sw == 1) {
          const stop = min(ow, wd - t);
          for (; ox + 4 <= stop; ox += 4) {
            const o = dst + ((<usize>ox) << 2);
            v128.store(o, f32x4.add(v128.load(o), v128.load(src + ((<usize>(ox + t)) << 2))));
          }
          for (; ox < stop; ox++) {
            const o = dst + ((<usize>ox) << 2);
            store<f32>(o, load<f32>(o) + load<f32>(src + ((<usize>(ox + t)) << 2)));
          }
        } else {
          for (; ox < ow && ix < wd; ox += sw, ix++) {
            const o = dst + ((<usize>ox) << 2);
            store<f32>(o, load<f32>(o) + load<f32>(src + ((<usize>ix) << 2)));
          }
        }
      }
    }
    if (bias) {
      const bv = load<f32>(bias + ((<usize>oc) << 2));
      for (let ox = 0; ox < ow; ox++) {
        const o = dst + ((<usize>ox) << 2);
        store<f32>(o, load<f32>(o) + bv);
      }
    }
  }
}
