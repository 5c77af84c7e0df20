import { Tensor, tidy, type WasmDevice } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import { runMatmulWasm } from '../matmul/matmul.wasm.js';
import { isPointwise, type ConvGeometry } from './conv.cpu.js';
import { transposedOperands } from './transposed-operands.js';

/** The op's wasm entry: conv2d as a direct GEMM (conv2dF32), convTranspose2d as the matmul kernel + col2im. */
export function convOnWasm(op: string, geo: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  convWasm(op, geo, asWasm(out.device), x, w, bias, out);
}

/**
 * The wasm path of conv2d: one run of conv2dF32 per group (kernels-wasm's conv/conv.ts), a direct
 * GEMM that writes NCHW itself: each item (an image's band of output rows) copies its input band
 * zero-padded, packs 8 pixels' patches at a time and multiplies them by the group's weights with
 * the matmul's register tile; or, on the pixels path (rows narrower than 8 pixels, K <= 512),
 * multiplies 8-channel weight panels by 4 pixels' taps splatted from the band. The launcher picks
 * the path and the rows per item and lays out the scratch (the item counter, the weights' strip
 * or panel states and packed weights, then per unit a band, a panel and an edge tile). x, w and
 * bias are dense.
 * convTranspose2d goes to convTransposeWasm.
 */
function convWasm(op: string, geo: ConvGeometry, device: WasmDevice, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  if (geo.transposed) return convTransposeWasm(op, geo, device, x, w, bias, out);
  const { n, oh, ow, kh, kw, sh, sw, dh, dw, groups } = geo;
  const cinG = geo.cin / groups;
  const coutG = geo.cout / groups;
  const kdim = cinG * kh * kw;
  const mr = device.constant('MATMUL_MR');
  // Rows per item: whole images where there are enough of them, else bands, so that every thread
  // has a few items to take (the result does not depend on it: each output is one item's sum).
  // With rows of at most 5 pixels (the kernel then packs across rows), at least 8 pixels an item.
  const least = ow <= 5 ? Math.min(oh, Math.ceil(8 / ow)) : 1;
  let rows = oh;
  while (rows > least && n * Math.ceil(oh / rows) < 8 * device.threads) rows = Math.max(least, Math.ceil(rows / 2));
  const bandRows = (rows - 1) * sh + (kh - 1) * dh + 1;
  const pitch = (ow - 1) * sw + (kw - 1) * dw + 1;
  const line = (bytes: number) => Math.ceil(bytes / 64) * 64;
  // A pointwise conv (1 x 1, stride 1, no padding) packs from x itself: no band.
  const pointwise = isPointwise(geo);
  // Rows narrower than 8 pixels with K <= 512 (a weight panel, K·48 bytes, stays in L1 for all
  // the item's pixels) take the pixels-by-channels tile: the weights as 8-channel panels, 4
  // pixels' taps splatted from the band, nothing packed per pixel and no panel column past a
  // row's end. The others (rows of 8 or more; a weight gradient's long K) take the
  // channels-by-pixels tile on panels of 8 pixels.
  const byPixels = !pointwise && ow < 8 && kdim <= 512 ? 1 : 0;
  const strips = byPixels ? Math.ceil(coutG / 8) : Math.ceil(coutG / mr);
  const packAt = 64 + line(strips * 4);
  const regionsAt = packAt + line(strips * kdim * (byPixels ? 12 : mr) * 4);
  const panelAt = pointwise ? 0 : line((cinG * bandRows * pitch + 8 * sw + 8) * 4);
  // The panel [K][8] of 8 pixels (none on the pixels path).
  const edgeAt = panelAt + (byPixels ? 0 : line(kdim * 32));
  const unitBytes = edgeAt + line(mr * 32);
  const scratch = Tensor.empty([(regionsAt + device.units * unitBytes) / 4], 'f32', device, op);
  try {
    const base = device.address(scratch.storage);
    const head = scratch.storage.data!;
    const plan = [...kernelDims(geo), rows, bandRows, pitch, packAt, 0, panelAt, edgeAt, unitBytes, regionsAt, byPixels];
    for (let g = 0; g < groups; g++) {
      head.fill(0, 0, 16 + strips); // the item counter and the strip states (0.0f has the bits of the i32 0)
      device.run(
        'conv2dF32',
        [
          device.address(x.storage),
          device.address(w.storage),
          bias ? device.address(bias.storage) : 0,
          device.address(out.storage),
          g,
          device.ints(plan),
          base,
        ],
        (n * coutG * oh * ow * kdim) / 8,
      );
    }
  } finally {
    scratch.dispose();
  }
}

/**
 * convTranspose2d on wasm, per group g, as GEMM then col2im (no multiplications by the zeros that
 * the gather form inserts between input pixels): x_g permuted to [CinG, N·H·W] (a copy of the
 * input), the matmul kernel computes col = W_gᵀ · x_g [CoutG·kH·kW, N·H·W] (W_g [CinG, CoutG·kH·kW]
 * as stored, read through transA), and col2imF32 sums each output's taps from col's rows (runs of
 * input rows, contiguous) and adds the bias.
 */
function convTransposeWasm(op: string, geo: ConvGeometry, device: WasmDevice, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  const { n, h, groups } = geo;
  const inPixels = n * h * geo.w;
  const rowLen = (geo.cout / groups) * geo.kh * geo.kw;
  const dims = kernelDims(geo);
  tidy(() => {
    const col = Tensor.empty([rowLen, inPixels], 'f32', device, op);
    for (let g = 0; g < groups; g++) {
      const { xg, wg } = transposedOperands(geo, x, w, g);
      runMatmulWasm(device, {
        a: wg,
        b: xg,
        bias: null,
        out: col,
        m: rowLen,
        n: inPixels,
        k: geo.cin / groups,
        transA: true,
        transB: false,
        activation: 'none',
      });
      device.run(
        'col2imF32',
        [device.address(col.storage), device.address(out.storage), bias ? device.address(bias.storage) : 0, g, device.ints(dims)],
        (out.size / groups) * geo.kh * geo.kw,
      );
    }
  });
}

/** The geometry as the wasm kernels' dims array: [n, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups]. */
function kernelDims(geo: ConvGeometry): number[] {
  return [geo.n, geo.cin, geo.h, geo.w, geo.cout, geo.oh, geo.ow, geo.kh, geo.kw, geo.sh, geo.sw, geo.ph, geo.pw, geo.dh, geo.dw, geo.groups];
}
