import { Params, SaddleError, fmtShape, tidy, type Tensor, type WebGpuDevice } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { matmul } from '../matmul/matmul.js';
import type { ConvGeometry } from './conv.cpu.js';
import { CONV_TILE, convWgsl } from './conv.wgsl.js';
import { col2imWgsl } from './col2im.wgsl.js';
import { transposedOperands } from './transposed-operands.js';

/** The op's WebGPU entry: convTranspose2d as the matmul kernel + col2im, conv2d as the implicit GEMM. */
export function convOnWebgpu(op: string, geo: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  if (geo.transposed) convTransposeGpu(op, geo, asGpu(out.device, op), x, w, bias, out);
  else conv2dGpu(op, geo, asGpu(out.device, op), x, w, bias, out);
}

/**
 * conv2d on WebGPU: the implicit GEMM (conv.wgsl.ts), a 64 x 64 tile of output pixels x output
 * channels per workgroup, one workgroup layer per group. x, w and bias are dense.
 */
function conv2dGpu(op: string, geo: ConvGeometry, device: WebGpuDevice, xd: Tensor, wd: Tensor, bd: Tensor | undefined, out: Tensor): void {
  const pixels = geo.n * geo.oh * geo.ow;
  const coutG = geo.cout / geo.groups;
  const cinG = geo.cin / geo.groups;
  const tilesX = Math.ceil(pixels / CONV_TILE);
  if (tilesX > 65535 || geo.groups > 65535 || Math.ceil(coutG / CONV_TILE) > 65535) {
    throw new SaddleError(
      op,
      `x is ${fmtShape(xd.shape)}: ${pixels} output pixels need ${tilesX} workgroups; expected at most ${65535 * CONV_TILE} pixels per dispatch`,
    );
  }
  device.dispatch({
    label: op,
    code: convWgsl({ bias: !!bd }),
    params: new Params()
      .u32(geo.n, geo.cin, geo.h, geo.w, geo.cout, geo.oh, geo.ow, geo.kh)
      .u32(geo.kw, geo.sh, geo.sw, geo.ph, geo.pw, geo.dh, geo.dw, cinG)
      .u32(coutG, cinG * geo.kh * geo.kw, pixels, 0)
      .finish(),
    buffers: bd ? [xd.storage, wd.storage, bd.storage, out.storage] : [xd.storage, wd.storage, out.storage],
    workgroups: [tilesX, Math.ceil(coutG / CONV_TILE), geo.groups],
  });
}

/**
 * convTranspose2d on WebGPU, per group g, as on wasm: x_g permuted to [CinG, N·H·W] (a copy of the
 * input), the matmul kernel computes colT = x_gᵀ · W_g [N·H·W, CoutG·kH·kW], and col2im.wgsl.ts sums
 * each output's taps from colT and adds the bias: only the useful multiply-adds.
 */
function convTransposeGpu(op: string, geo: ConvGeometry, device: WebGpuDevice, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  const { n, h, groups } = geo;
  const coutG = geo.cout / groups;
  const total = n * coutG * geo.oh * geo.ow;
  tidy(() => {
    for (let g = 0; g < groups; g++) {
      const { xg, wg } = transposedOperands(geo, x, w, g);
      const colT = matmul(xg, wg, { transA: true });
      device.dispatch({
        label: op,
        code: col2imWgsl(!!bias),
        params: new Params()
          .u32(n, h, geo.w, geo.cout, geo.oh, geo.ow, geo.kh, geo.kw)
          .u32(geo.sh, geo.sw, geo.ph, geo.pw, geo.dh, geo.dw, coutG, g)
          .u32(total, 0, 0, 0)
          .finish(),
        buffers: bias ? [colT.storage, bias.storage, out.storage] : [colT.storage, out.storage],
        workgroups: grid1d(total),
      });
    }
  });
}
