/**
 * 2-D convolution and transposed convolution, PyTorch's `F.conv2d` and `F.conv_transpose2d`.
 *
 * Layout: NCHW (x [N, C, H, W]) and OIHW weights (conv2d w [Cout, Cin/groups, kH, kW];
 * convTranspose2d w [Cin, Cout/groups, kH, kW]), as PyTorch: the layout users' weights and
 * checkpoints come in, so a state dict loads without a permutation, and the layout our 2-D ops
 * already use for [batch, features]. Each kernel reads it well: the WGSL implicit GEMM gathers a
 * patch column per output pixel and a weight row per output channel (K = Cin/groups·kH·kW is
 * contiguous in OIHW; neighbouring threads take neighbouring pixels, i.e. neighbouring inputs
 * along W, NCHW's contiguous axis), and the wasm im2col copies, for one tap and one output row,
 * a run of W' inputs that is contiguous in NCHW (a memory.copy at stride 1). NHWC would suit a
 * CPU GEMM's patch rows better (Cin contiguous per tap), but would cost every user a transpose of
 * their data and weights; a kernel can permute internally where it pays.
 *
 * Both ops are one family: convTranspose2d is the input-gradient (adjoint) of conv2d, the same sum
 * with the gather turned around (conv.cpu.ts computes both in one loop nest), and the gradient
 * rules (packages/autograd/src/rules/conv.ts) are written in the two ops. The kernels: conv2d is an
 * implicit GEMM on WebGPU (conv.wgsl.ts) and im2col + the matmul kernel on wasm (kernels-wasm's
 * conv/conv.ts); convTranspose2d is the matmul kernel then col2im on both (col2im.wgsl.ts and
 * col2imF32), so it multiplies none of the zeros a gather would put between input pixels.
 *
 * The checks below (a SaddleError naming the op, both shapes and dtypes and what was expected)
 * run before any device code, so every device refuses bad input with the same message.
 */
import { Params, SaddleError, Tensor, fmtShape, tidy, type Device, type WasmDevice, type WebGpuDevice } from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice } from '../shared/launch.js';
import { contiguous, dense } from '../elementwise/elementwise.js';
import { copyInto, reshape, slice, transpose } from '../shape/shape.js';
import { matmul } from '../matmul/matmul.js';
import { runMatmulWasm } from '../matmul/matmul.wasm.js';
import { convCpu, type ConvGeometry } from './conv.cpu.js';
import { CONV_TILE, convWgsl } from './conv.wgsl.js';
import { col2imWgsl } from './col2im.wgsl.js';

/** A size per spatial dim: one number for both, or [height, width]. */
export type Pair = number | readonly [number, number];

/** Options of conv2d (PyTorch's `F.conv2d` keywords). */
export interface Conv2dOptions {
  /** [Cout], added to every output pixel of its channel. */
  bias?: Tensor;
  /** Step between output pixels, in input pixels (default 1). */
  stride?: Pair;
  /** Zeros added on each side (default 0); 'valid' is 0, 'same' (stride 1) keeps H and W. */
  padding?: Pair | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Channel groups: input and output channels split into this many independent convolutions (default 1). */
  groups?: number;
}

/** Options of convTranspose2d (PyTorch's `F.conv_transpose2d` keywords). */
export interface ConvTranspose2dOptions {
  /** [Cout], added to every output pixel of its channel. */
  bias?: Tensor;
  /** The stride of the conv2d this transposes (default 1): the output grows by it. */
  stride?: Pair;
  /** The padding of the conv2d this transposes (default 0): cropped from each side of the output. */
  padding?: Pair;
  /** Extra rows/columns on the bottom/right (default 0; less than stride or dilation), to pick among the input sizes a strided conv2d maps to one size. */
  outputPadding?: Pair;
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Channel groups (default 1). */
  groups?: number;
}

export type { ConvGeometry };

const describeInputs = (x: Tensor, w: Tensor) => `x is ${fmtShape(x.shape)} ${x.dtype} and w is ${fmtShape(w.shape)} ${w.dtype}`;

/** A Pair as [h, w] of integers >= min, or a SaddleError naming the option. */
function pair(op: string, what: string, name: string, v: Pair | undefined, fallback: number, min: number): [number, number] {
  const p = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((e) => Number.isInteger(e) && e >= min)) {
    throw new SaddleError(op, `${what}: ${name} is ${JSON.stringify(v)}; expected an integer >= ${min} or two of them [h, w]`);
  }
  return [p[0]!, p[1]!];
}

/** Checks what both ops share (ranks, dtypes, groups, stride, dilation); returns them with the inputs' description for messages. */
function checkCommon(op: string, x: Tensor, w: Tensor, opts: { groups?: number; stride?: Pair; dilation?: Pair }) {
  const what = describeInputs(x, w);
  if (x.dtype !== w.dtype || (x.dtype !== 'f32' && x.dtype !== 'f64')) {
    throw new SaddleError(op, `${what}: expected x and w both f32 (or both f64 on the CPU)`);
  }
  if (x.rank !== 4 || w.rank !== 4) throw new SaddleError(op, `${what}: expected x [N, C, H, W] and w [${op === 'conv2d' ? 'Cout, Cin/groups' : 'Cin, Cout/groups'}, kH, kW], both rank 4`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new SaddleError(op, `${what}: groups is ${opts.groups}; expected a positive integer`);
  if (x.shape[1]! < 1 || w.shape[0]! < 1 || w.shape[1]! < 1 || w.shape[2]! < 1 || w.shape[3]! < 1) {
    throw new SaddleError(op, `${what}: expected at least one channel and a kernel of at least 1 x 1`);
  }
  const [sh, sw] = pair(op, what, 'stride', opts.stride, 1, 1);
  const [dh, dw] = pair(op, what, 'dilation', opts.dilation, 1, 1);
  const [n, cin, h, width] = x.shape as [number, number, number, number];
  return { what, groups, sh, sw, dh, dw, n, cin, h, width, kh: w.shape[2]!, kw: w.shape[3]! };
}

/** Checks the bias: [Cout], the inputs' dtype. */
function checkBias(op: string, what: string, bias: Tensor | undefined, cout: number, dtype: string): void {
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cout || bias.dtype !== dtype)) {
    throw new SaddleError(op, `${what}, bias is ${fmtShape(bias.shape)} ${bias.dtype}: expected bias [${cout}] ${dtype} (one per output channel)`);
  }
}

/** Checks conv2d's inputs and options and resolves its geometry (no device work). */
export function conv2dGeometry(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): ConvGeometry {
  const op = 'conv2d';
  const { what, groups, sh, sw, dh, dw, n, cin, h, width: wd, kh, kw } = checkCommon(op, x, w, opts);
  const [cout, cinG] = w.shape as [number, number];
  if (cin % groups !== 0 || cout % groups !== 0 || cinG * groups !== cin) {
    throw new SaddleError(op, `${what}, groups ${groups}: expected w [Cout, Cin/groups, kH, kW] = [${cout}, ${cin / groups}, ${kh}, ${kw}] with Cin ${cin} and Cout ${cout} divisible by groups`);
  }
  let ph: number, pw: number;
  if (opts.padding === 'valid') [ph, pw] = [0, 0];
  else if (opts.padding === 'same') {
    const [th, tw] = [dh * (kh - 1), dw * (kw - 1)];
    if (sh !== 1 || sw !== 1 || th % 2 !== 0 || tw % 2 !== 0) {
      throw new SaddleError(op, `${what}: padding 'same' with stride [${sh}, ${sw}] and dilation [${dh}, ${dw}]; expected stride 1 and an odd effective kernel (dilation·(k−1) even, so the padding is the same on both sides); pass padding as numbers instead`);
    }
    [ph, pw] = [th / 2, tw / 2];
  } else [ph, pw] = pair(op, what, 'padding', opts.padding, 0, 0);
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  if (oh < 1 || ow < 1) {
    throw new SaddleError(op, `${what}: the padded input [${h + 2 * ph}, ${wd + 2 * pw}] is smaller than the dilated kernel [${dh * (kh - 1) + 1}, ${dw * (kw - 1) + 1}]; expected an output of at least 1 x 1`);
  }
  checkBias(op, what, opts.bias, cout, x.dtype);
  return { n, cin, h, w: wd, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups, transposed: false };
}

/** Checks convTranspose2d's inputs and options and resolves its geometry (no device work). */
export function convTranspose2dGeometry(x: Tensor, w: Tensor, opts: ConvTranspose2dOptions = {}): ConvGeometry {
  const op = 'convTranspose2d';
  const { what, groups, sh, sw, dh, dw, n, cin, h, width: wd, kh, kw } = checkCommon(op, x, w, opts);
  const [wcin, coutG] = w.shape as [number, number];
  if (wcin !== cin || cin % groups !== 0) {
    throw new SaddleError(op, `${what}, groups ${groups}: expected w [Cin, Cout/groups, kH, kW] with Cin = ${cin} (x's channels) divisible by groups`);
  }
  const [ph, pw] = pair(op, what, 'padding', opts.padding as Pair | undefined, 0, 0);
  const [oph, opw] = pair(op, what, 'outputPadding', opts.outputPadding, 0, 0);
  if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
    throw new SaddleError(op, `${what}: outputPadding [${oph}, ${opw}]; expected each less than its stride or dilation (stride [${sh}, ${sw}], dilation [${dh}, ${dw}])`);
  }
  const oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const ow = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (oh < 1 || ow < 1) {
    throw new SaddleError(op, `${what}: padding [${ph}, ${pw}] crops the whole output ([${oh}, ${ow}]); expected an output of at least 1 x 1`);
  }
  const cout = coutG * groups;
  checkBias(op, what, opts.bias, cout, x.dtype);
  return { n, cin, h, w: wd, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups, transposed: true };
}

/**
 * 2-D convolution (cross-correlation, as PyTorch): x [N, Cin, H, W], w [Cout, Cin/groups, kH, kW]
 * -> [N, Cout, H', W'] with H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1. f32 on
 * every device (f64 on the CPU).
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  const device = sameDevice('conv2d', x, w, ...(opts.bias ? [opts.bias] : []));
  return runConv('conv2d', conv2dGeometry(x, w, opts), device, x, w, opts.bias);
}

/**
 * 2-D transposed convolution ("deconvolution", the input-gradient of conv2d, as PyTorch):
 * x [N, Cin, H, W], w [Cin, Cout/groups, kH, kW] -> [N, Cout, H', W'] with
 * H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, w: Tensor, opts: ConvTranspose2dOptions = {}): Tensor {
  const device = sameDevice('convTranspose2d', x, w, ...(opts.bias ? [opts.bias] : []));
  return runConv('convTranspose2d', convTranspose2dGeometry(x, w, opts), device, x, w, opts.bias);
}

/** Allocates the output and runs the CPU twin, the wasm kernel or the WGSL kernel. */
function runConv(op: string, geo: ConvGeometry, device: Device, x: Tensor, w: Tensor, bias: Tensor | undefined): Tensor {
  const out = Tensor.empty([geo.n, geo.cout, geo.oh, geo.ow], x.dtype, device, op);
  if (out.size === 0) return out;
  const xd = dense(x);
  const wd = dense(w);
  const bd = bias ? dense(bias) : undefined;
  try {
    if (device.kind === 'cpu') {
      convCpu(geo, xd.storage.data!, wd.storage.data!, bd ? bd.storage.data! : null, out.storage.data!);
    } else if (device.kind === 'wasm') {
      convWasm(op, geo, asWasm(device), xd, wd, bd, out);
    } else if (geo.transposed) {
      convTransposeGpu(op, geo, asGpu(device, op), xd, wd, bd, out);
    } else {
      const pixels = geo.n * geo.oh * geo.ow;
      const coutG = geo.cout / geo.groups;
      const cinG = geo.cin / geo.groups;
      const tilesX = Math.ceil(pixels / CONV_TILE);
      if (tilesX > 65535 || geo.groups > 65535 || Math.ceil(coutG / CONV_TILE) > 65535) {
        throw new SaddleError(op, `x is ${fmtShape(x.shape)}: ${pixels} output pixels need ${tilesX} workgroups; expected at most ${65535 * CONV_TILE} pixels per dispatch`);
      }
      asGpu(device, op).dispatch({
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
  } finally {
    if (xd !== x) xd.dispose();
    if (wd !== w) wd.dispose();
    if (bd && bd !== bias) bd.dispose();
  }
  return out;
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
      runMatmulWasm(device, { a: col, b: wg, bias: bg ?? null, out: product, m: pixels, n: coutG, k: kdim, transA: true, transB: !geo.transposed, activation: 'none' });
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
      runMatmulWasm(device, { a: xg, b: wg, bias: null, out: colT, m: inPixels, n: rowLen, k: geo.cin / groups, transA: true, transB: false, activation: 'none' });
      device.run('col2imF32', [device.address(colT.storage), device.address(out.storage), bias ? device.address(bias.storage) : 0, g, device.ints(dims)], out.size / groups * geo.kh * geo.kw);
    }
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

/**
 * convTranspose2d's matmul operands for group g, dense: x_g as [CinG, N·H·W] (a permuting copy)
 * and W_g as [CinG, CoutG·kH·kW] (a view of w for one group, else a copy of the group's rows).
 */
function transposedOperands(geo: ConvGeometry, x: Tensor, w: Tensor, g: number): { xg: Tensor; wg: Tensor } {
  const cinG = geo.cin / geo.groups;
  const plane = geo.h * geo.w;
  const xg = contiguous(transpose(reshape(slice(x, [0, g * cinG, 0, 0], [-1, cinG, -1, -1]), [geo.n, cinG, plane]), [1, 0, 2]));
  const wg = geo.groups === 1 ? w : contiguous(slice(w, [g * cinG, 0, 0, 0], [cinG, -1, -1, -1]));
  return { xg: reshape(xg, [cinG, geo.n * plane]), wg: reshape(wg, [cinG, (geo.cout / geo.groups) * geo.kh * geo.kw]) };
}

/** The geometry as the wasm kernels' dims array: [n, cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups]. */
function kernelDims(geo: ConvGeometry): number[] {
  return [geo.n, geo.cin, geo.h, geo.w, geo.cout, geo.oh, geo.ow, geo.kh, geo.kw, geo.sh, geo.sw, geo.ph, geo.pw, geo.dh, geo.dw, geo.groups];
}
