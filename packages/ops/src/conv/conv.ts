/**
 * 2-D convolution and transposed convolution, PyTorch's `F.conv2d` and `F.conv_transpose2d`.
 *
 * Layout: NCHW (x [N, C, H, W]) and OIHW weights (conv2d w [Cout, Cin/groups, kH, kW];
 * convTranspose2d w [Cin, Cout/groups, kH, kW]), as PyTorch: the layout users' weights and
 * checkpoints come in, so a state dict loads without a permutation, and the layout our 2-D ops
 * already use for [batch, features]. Each kernel reads it well: the WGSL implicit GEMM gathers a
 * patch column per output pixel and a weight row per output channel (K = Cin/groups·kH·kW is
 * contiguous in OIHW; neighbouring threads take neighbouring pixels, i.e. neighbouring inputs
 * along W, NCHW's contiguous axis), and the wasm direct GEMM packs, for one tap and 8 pixels of an
 * output row, a run of inputs that is contiguous in NCHW (f32x4 loads at stride 1). NHWC would suit a
 * CPU GEMM's patch rows better (Cin contiguous per tap), but would cost every user a transpose of
 * their data and weights; a kernel can permute internally where it pays.
 *
 * Both ops are one family: convTranspose2d is the input-gradient (adjoint) of conv2d, the same sum
 * with the gather turned around (conv.cpu.ts computes both in one loop nest), and the gradient
 * rules (packages/autograd/src/rules/conv.ts) are written in the two ops. The kernels: conv2d is an
 * implicit GEMM on WebGPU (conv.wgsl.ts) and a direct GEMM on the matmul's register tile on wasm
 * (kernels-wasm's conv/conv.ts, conv2dF32); convTranspose2d is the matmul kernel then col2im on both (col2im.wgsl.ts and
 * col2imF32), so it multiplies none of the zeros a gather would put between input pixels.
 *
 * The checks below (a SaddleError naming the op, both shapes and dtypes and what was expected)
 * run before any device code, so every device refuses bad input with the same message.
 */
import { SaddleError, Tensor, fmtShape, type Device } from '@saddle/tensor';
import { sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { convOnCpu, type ConvGeometry } from './conv.cpu.js';
import { convOnWasm } from './conv.wasm.js';
import { convOnWebgpu } from './conv.webgpu.js';

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

/**
 * conv2d and convTranspose2d (geo.transposed) on each device, on dense x, w and bias: the CPU
 * twin; the direct GEMM, or the matmul kernel then col2im, on wasm; the implicit GEMM or col2im on WebGPU.
 */
const CONV: DeviceTable<(op: string, geo: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor) => void> = {
  cpu: convOnCpu,
  wasm: convOnWasm,
  webgpu: convOnWebgpu,
};

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
  if (x.rank !== 4 || w.rank !== 4)
    throw new SaddleError(op, `${what}: expected x [N, C, H, W] and w [${op === 'conv2d' ? 'Cout, Cin/groups' : 'Cin, Cout/groups'}, kH, kW], both rank 4`);
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
    throw new SaddleError(
      op,
      `${what}, groups ${groups}: expected w [Cout, Cin/groups, kH, kW] = [${cout}, ${cin / groups}, ${kh}, ${kw}] with Cin ${cin} and Cout ${cout} divisible by groups`,
    );
  }
  let ph: number, pw: number;
  if (opts.padding === 'valid') [ph, pw] = [0, 0];
  else if (opts.padding === 'same') {
    const [th, tw] = [dh * (kh - 1), dw * (kw - 1)];
    if (sh !== 1 || sw !== 1 || th % 2 !== 0 || tw % 2 !== 0) {
      throw new SaddleError(
        op,
        `${what}: padding 'same' with stride [${sh}, ${sw}] and dilation [${dh}, ${dw}]; expected stride 1 and an odd effective kernel (dilation·(k−1) even, so the padding is the same on both sides); pass padding as numbers instead`,
      );
    }
    [ph, pw] = [th / 2, tw / 2];
  } else [ph, pw] = pair(op, what, 'padding', opts.padding, 0, 0);
  const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  if (oh < 1 || ow < 1) {
    throw new SaddleError(
      op,
      `${what}: the padded input [${h + 2 * ph}, ${wd + 2 * pw}] is smaller than the dilated kernel [${dh * (kh - 1) + 1}, ${dw * (kw - 1) + 1}]; expected an output of at least 1 x 1`,
    );
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
  const [ph, pw] = pair(op, what, 'padding', opts.padding, 0, 0);
  const [oph, opw] = pair(op, what, 'outputPadding', opts.outputPadding, 0, 0);
  if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
    throw new SaddleError(
      op,
      `${what}: outputPadding [${oph}, ${opw}]; expected each less than its stride or dilation (stride [${sh}, ${sw}], dilation [${dh}, ${dw}])`,
    );
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
    CONV[device.kind](op, geo, xd, wd, bd, out);
  } finally {
    if (xd !== x) xd.dispose();
    if (wd !== w) wd.dispose();
    if (bd && bd !== bias) bd.dispose();
  }
  return out;
}
