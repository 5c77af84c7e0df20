import { Tensor, tidy, type WasmDevice } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import { contiguous } from '../elementwise/elementwise.js';
import { copyInto, reshape, slice, transpose } from '../shape/shape.js';
import { runMatmulWasm } from '../matmul/matmul.wasm.js';
import type { ConvGeometry } from './conv.cpu.js';
import { transposedOperands } from './transposed-operands.js';

/** The op's wasm entry: conv2d as im2col + the matmul kernel, convTranspose2d as the matmul kernel + col2im. */
export function convOnWasm(op: string, geo: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  convWasm(op, geo, asWasm(out.device), x, w, bias, out);
}

/**
 * The wasm path of conv2d, per group g: im2col (kernels-wasm's conv/conv.ts) writes the patch
 * matrix col [K, N·H'·W']; the matmul kernel computes colᵀ · W_gᵀ + bias [N·H'·W', CoutG] (col
 * read through transA, W_g as stored, [CoutG, K], through transB); a strided copy puts the
 * product's columns into the output's channels (NCHW). x, w and bias are dense.
 * convTranspose2d goes to convTransposeWasm.
 */
function convWasm(op: string, geo: ConvGeometry, device: WasmDevice, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  if (geo.transposed) return convTransposeWasm(op, geo, device, x, w, bias, out);
  const { n, oh, ow, kh, kw, groups } = geo;
  const cinG = geo.cin / groups;
  const coutG = geo.cout / groups;
  const taps = kh * kw;
  const pixels = n * oh * ow;
  const kdim = cinG * taps;
  const dims = kernelDims(geo);
  // tidy: the patch matrix, the product, the group's weight copies and the views go when done.
  tidy(() => {
    const col = Tensor.empty([kdim, pixels], 'f32', device, op);
    const product = Tensor.empty([pixels, coutG], 'f32', device, op);
    const out3 = reshape(out, [n, geo.cout, oh * ow]);
    for (let g = 0; g < groups; g++) {
      device.run('im2colF32', [device.address(x.storage), device.address(col.storage), g, device.ints(dims)], pixels * kdim);
      let wg: Tensor;
      if (!geo.transposed) wg = groups === 1 ? w : contiguous(slice(w, [g * coutG, 0, 0, 0], [coutG, -1, -1, -1]));
      else wg = contiguous(transpose(reshape(slice(w, [g * cinG, 0, 0, 0], [cinG, -1, -1, -1]), [cinG, coutG, taps]), [0, 2, 1]));
      const bg = !bias || groups === 1 ? bias : contiguous(slice(bias, [g * coutG], [coutG]));
      runMatmulWasm(device, {
        a: col,
        b: wg,
        bias: bg ?? null,
        out: product,
        m: pixels,
        n: coutG,
        k: kdim,
        transA: true,
        transB: !geo.transposed,
        activation: 'none',
      });
      copyInto(slice(out3, [0, g * coutG, 0], [n, coutG, oh * ow]), transpose(reshape(product, [n, oh * ow, coutG]), [0, 2, 1]));
    }
  });
}

/**
 * convTranspose2d on wasm, per group g, as GEMM then col2im (no multiplications by the zeros that
 * the gather form inserts between input pixels): x_g permuted to [CinG, N·H·W] (a copy of the
 * input), the matmul kernel computes colT = x_gᵀ · W_g [N·H·W, CoutG·kH·kW] (W_g [CinG, CoutG·kH·kW]
 * as stored), and col2imF32 sums each output's taps from colT and adds the bias.
 */
function convTransposeWasm(op: string, geo: ConvGeometry, device: WasmDevice, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  const { n, h, groups } = geo;
  const inPixels = n * h * geo.w;
  const rowLen = (geo.cout / groups) * geo.kh * geo.kw;
  const dims = kernelDims(geo);
  tidy(() => {
    const colT = Tensor.empty([inPixels, rowLen], 'f32', device, op);
    for (let g = 0; g < groups; g++) {
      const { xg, wg } = transposedOperands(geo, x, w, g);
      runMatmulWasm(device, {
        a: xg,
        b: wg,
        bias: null,
        out: colT,
        m: inPixels,
        n: rowLen,
        k: geo.cin / groups,
        transA: true,
        transB: false,
        activation: 'none',
      });
      device.run(
        'col2imF32',
        [device.address(colT.storage), device.address(out.storage), bias ? device.address(bias.storage) : 0, g, device.ints(dims)],
        (out.size / groups) * geo.kh * geo.kw,
      );
    }
  });
}

/** The geometry as the wasm kernels' dims array: [n, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups]. */
function kernelDims(geo: ConvGeometry): number[] {
  return [geo.n, geo.cin, geo.h, geo.w, geo.cout, geo.oh, geo.ow, geo.kh, geo.kw, geo.sh, geo.sw, geo.ph, geo.pw, geo.dh, geo.dw, geo.groups];
}
