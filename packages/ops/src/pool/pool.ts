import { SaddleError, Tensor, fmtShape, type Device } from '@saddle/tensor';
import { sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { avgPool2dBackwardOnCpu, avgPool2dOnCpu, maxPool2dBackwardOnCpu, maxPool2dOnCpu, type PoolGeometry, type PoolWindow } from './pool.cpu.js';
import { avgPool2dBackwardOnWasm, avgPool2dOnWasm, maxPool2dBackwardOnWasm, maxPool2dOnWasm } from './pool.wasm.js';
import { avgPool2dBackwardOnWebgpu, avgPool2dOnWebgpu, maxPool2dBackwardOnWebgpu, maxPool2dOnWebgpu } from './pool.webgpu.js';
import type { PoolKind } from './pool.wgsl.js';

/** Max pooling of dense x into values and indices (non-empty), on each device. */
const MAX_POOL: DeviceTable<(xd: Tensor, g: PoolGeometry, values: Tensor, indices: Tensor) => void> = {
  cpu: maxPool2dOnCpu,
  wasm: maxPool2dOnWasm,
  webgpu: maxPool2dOnWebgpu,
};

/** Average pooling of dense x into `out` (non-empty), on each device. */
const AVG_POOL: DeviceTable<(xd: Tensor, g: PoolGeometry, countIncludePad: boolean, out: Tensor) => void> = {
  cpu: avgPool2dOnCpu,
  wasm: avgPool2dOnWasm,
  webgpu: avgPool2dOnWebgpu,
};

/** Max pooling's gradient from dense dy and indices into `dx` (non-empty), on each device. */
const MAX_POOL_BACKWARD: DeviceTable<(dyd: Tensor, id: Tensor, g: PoolGeometry, dx: Tensor) => void> = {
  cpu: maxPool2dBackwardOnCpu,
  wasm: maxPool2dBackwardOnWasm,
  webgpu: maxPool2dBackwardOnWebgpu,
};

/** Average pooling's gradient from dense dy into `dx` (non-empty), on each device. */
const AVG_POOL_BACKWARD: DeviceTable<(dyd: Tensor, g: PoolGeometry, countIncludePad: boolean, dx: Tensor) => void> = {
  cpu: avgPool2dBackwardOnCpu,
  wasm: avgPool2dBackwardOnWasm,
  webgpu: avgPool2dBackwardOnWebgpu,
};

/** A size per spatial dim: one number for both (H and W), or [h, w]. */
export type Size2d = number | readonly [number, number];

/** maxPool2d's options, as PyTorch's `nn.MaxPool2d` (no ceil mode). */
export interface MaxPool2dOptions {
  kernelSize: Size2d;
  /** Default: kernelSize. */
  stride?: Size2d;
  /** Implicit -inf padding on each side; at most half the kernel size. Default 0. */
  padding?: Size2d;
  /** Distance between the window's taps. Default 1. */
  dilation?: Size2d;
}

/** avgPool2d's options, as PyTorch's `nn.AvgPool2d` (no ceil mode, no divisor override). */
export interface AvgPool2dOptions {
  kernelSize: Size2d;
  /** Default: kernelSize. */
  stride?: Size2d;
  /** Implicit zero padding on each side; at most half the kernel size. Default 0. */
  padding?: Size2d;
  /** Divide by the whole window (true, PyTorch's default) or by its taps inside the input. */
  countIncludePad?: boolean;
}

const MAX_KEYS = ['kernelSize', 'stride', 'padding', 'dilation'];
const AVG_KEYS = ['kernelSize', 'stride', 'padding', 'countIncludePad'];

function pair(op: string, name: string, v: Size2d, min: number): [number, number] {
  const hw: readonly number[] = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : [];
  if (hw.length !== 2 || hw.some((d) => !Number.isInteger(d) || d < min)) {
    const what = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new SaddleError(op, `${name} is ${JSON.stringify(v)}; expected ${what} or a pair [h, w] of them`);
  }
  return [hw[0]!, hw[1]!];
}

/**
 * Checks a pooling input x [N, C, H, W] and the options (alive, float, rank 4, known option names,
 * sizes, padding at most half the kernel, an output of at least 1 x 1); returns the geometry.
 * The same checks, the same messages, on every device.
 */
export function poolGeometry(op: string, x: Tensor, opts: MaxPool2dOptions | AvgPool2dOptions, kind: PoolKind): { device: Device; g: PoolGeometry } {
  const device = sameDevice(op, x);
  return { device, g: checkPool(op, 'x', x.shape, x.dtype, opts, kind) };
}

/**
 * Checks pooling options alone (an object, known names, sizes, padding at most half the kernel,
 * countIncludePad a boolean) and returns the window: what an op checks before its input, and what
 * a pooling layer checks when it is built. `op` names the op or layer in the SaddleError.
 */
export function checkPoolOptions(op: string, opts: MaxPool2dOptions | AvgPool2dOptions, kind: PoolKind): PoolWindow {
  if (typeof opts !== 'object' || opts === null) throw new SaddleError(op, `options are ${String(opts)}; expected { kernelSize, stride?, padding?, ... }`);
  const keys = kind === 'max' ? MAX_KEYS : AVG_KEYS;
  const unknown = Object.keys(opts).filter((key) => !keys.includes(key));
  if (unknown.length) throw new SaddleError(op, `unknown option ${unknown.join(', ')}; expected ${keys.join(', ')}`);
  if (opts.kernelSize === undefined) throw new SaddleError(op, 'kernelSize is missing; expected a positive integer or a pair [h, w] of them');
  const [kH, kW] = pair(op, 'kernelSize', opts.kernelSize, 1);
  const [sH, sW] = opts.stride === undefined ? [kH, kW] : pair(op, 'stride', opts.stride, 1);
  const [pH, pW] = pair(op, 'padding', opts.padding ?? 0, 0);
  const [dH, dW] = kind === 'max' ? pair(op, 'dilation', (opts as MaxPool2dOptions).dilation ?? 1, 1) : [1, 1];
  if (kind === 'avg' && (opts as AvgPool2dOptions).countIncludePad !== undefined && typeof (opts as AvgPool2dOptions).countIncludePad !== 'boolean') {
    throw new SaddleError(op, `countIncludePad is ${String((opts as AvgPool2dOptions).countIncludePad)}; expected a boolean`);
  }
  if (2 * pH > kH || 2 * pW > kW) {
    throw new SaddleError(op, `padding [${pH}, ${pW}] is more than half of kernelSize [${kH}, ${kW}]; expected padding <= kernelSize / 2`);
  }
  return { kH, kW, sH, sW, pH, pW, dH, dW };
}

/** poolGeometry's checks on a shape and dtype (`name` is the tensor they belong to). */
function checkPool(op: string, name: string, shape: readonly number[], dtype: string, opts: MaxPool2dOptions | AvgPool2dOptions, kind: PoolKind): PoolGeometry {
  const win = checkPoolOptions(op, opts, kind);
  const { kH, kW, sH, sW, pH, pW, dH, dW } = win;
  if (shape.length !== 4) throw new SaddleError(op, `${name} has shape ${fmtShape(shape)} (${dtype}); expected rank 4, [N, C, H, W]`);
  if (dtype !== 'f32' && dtype !== 'f64') throw new SaddleError(op, `${name} ${fmtShape(shape)} has dtype ${dtype}; expected f32 (or f64 on the CPU)`);
  const [n, c, h, w] = shape as [number, number, number, number];
  const oh = Math.floor((h + 2 * pH - dH * (kH - 1) - 1) / sH) + 1;
  const ow = Math.floor((w + 2 * pW - dW * (kW - 1) - 1) / sW) + 1;
  if (oh < 1 || ow < 1) {
    throw new SaddleError(
      op,
      `${name === 'x' ? 'x has' : 'the input has'} shape ${fmtShape(shape)}: a ${kH}x${kW} window (dilation [${dH}, ${dW}], padding [${pH}, ${pW}]) gives an output of ${oh}x${ow}; expected H and W large enough for an output of at least 1x1`,
    );
  }
  return { planes: n * c, h, w, oh, ow, ...win };
}

const outShape = (x: Tensor, g: PoolGeometry) => [x.shape[0]!, x.shape[1]!, g.oh, g.ow];

/**
 * 2-D max pooling of x [N, C, H, W] (PyTorch's `max_pool2d(..., return_indices=True)`): `values`
 * [N, C, OH, OW] is the max over each kernelSize window (stride, padding with -inf, dilation),
 * OH = floor((H + 2 padding - dilation (kernel - 1) - 1) / stride) + 1; `indices` (i32, same shape)
 * the flat position ih * W + iw in the input plane of the first maximum (a NaN propagates, the
 * first NaN wins), what `maxPool2dBackward` routes the gradient by.
 */
export function maxPool2dWithIndices(x: Tensor, opts: MaxPool2dOptions): { values: Tensor; indices: Tensor } {
  const op = 'maxPool2d';
  const { device, g } = poolGeometry(op, x, opts, 'max');
  const values = Tensor.empty(outShape(x, g), x.dtype, device);
  const indices = Tensor.empty(outShape(x, g), 'i32', device);
  const n = values.size;
  if (n === 0) return { values, indices };
  const xd = dense(x);
  try {
    MAX_POOL[device.kind](xd, g, values, indices);
    return { values, indices };
  } finally {
    if (xd !== x) xd.dispose();
  }
}

/** 2-D max pooling of x [N, C, H, W]; see maxPool2dWithIndices (this drops the indices). */
export function maxPool2d(x: Tensor, opts: MaxPool2dOptions): Tensor {
  const { values, indices } = maxPool2dWithIndices(x, opts);
  indices.dispose();
  return values;
}

/**
 * 2-D average pooling of x [N, C, H, W] (PyTorch's `avg_pool2d`): the mean over each kernelSize
 * window (stride, zero padding), dividing by the whole window (countIncludePad, the default) or by
 * its taps inside the input.
 */
export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  const op = 'avgPool2d';
  const { device, g } = poolGeometry(op, x, opts, 'avg');
  const countIncludePad = opts.countIncludePad ?? true;
  const out = Tensor.empty(outShape(x, g), x.dtype, device);
  const n = out.size;
  if (n === 0) return out;
  const xd = dense(x);
  try {
    AVG_POOL[device.kind](xd, g, countIncludePad, out);
    return out;
  } finally {
    if (xd !== x) xd.dispose();
  }
}

/** Checks a pooling gradient dy against the input shape and options; returns the geometry. */
function backwardGeometry(op: string, dy: Tensor, inputShape: readonly number[], opts: MaxPool2dOptions | AvgPool2dOptions, kind: PoolKind): PoolGeometry {
  sameDevice(op, dy);
  if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new SaddleError(op, `inputShape is ${JSON.stringify(inputShape)}; expected the pooled input's shape [N, C, H, W]`);
  }
  const g = checkPool(op, 'inputShape', inputShape, dy.dtype, opts, kind);
  const want = [inputShape[0]!, inputShape[1]!, g.oh, g.ow];
  if (dy.rank !== 4 || dy.shape.some((d, i) => d !== want[i])) {
    throw new SaddleError(op, `dy has shape ${fmtShape(dy.shape)} (${dy.dtype}); expected ${fmtShape(want)}, the pooled output of ${fmtShape(inputShape)}`);
  }
  return g;
}

/**
 * The gradient of max pooling: dx [N, C, H, W] (`inputShape`) gets dy [N, C, OH, OW] at the
 * positions `indices` (maxPool2dWithIndices's, i32) names, summed where windows overlap.
 */
export function maxPool2dBackward(dy: Tensor, indices: Tensor, inputShape: readonly number[], opts: MaxPool2dOptions): Tensor {
  const op = 'maxPool2dBackward';
  sameDevice(op, dy, indices);
  const g = backwardGeometry(op, dy, inputShape, opts, 'max');
  if (indices.dtype !== 'i32' || indices.rank !== 4 || indices.shape.some((d, i) => d !== dy.shape[i])) {
    throw new SaddleError(
      op,
      `indices has shape ${fmtShape(indices.shape)} (${indices.dtype}); expected i32 ${fmtShape(dy.shape)}, as maxPool2dWithIndices returns it`,
    );
  }
  const dx = Tensor.empty(inputShape, dy.dtype, dy.device);
  const n = dx.size;
  if (n === 0) return dx;
  const dyd = dense(dy);
  const id = dense(indices);
  try {
    MAX_POOL_BACKWARD[dy.device.kind](dyd, id, g, dx);
    return dx;
  } finally {
    if (dyd !== dy) dyd.dispose();
    if (id !== indices) id.dispose();
  }
}

/**
 * The gradient of average pooling: dx [N, C, H, W] (`inputShape`), each input getting dy / divisor
 * from every window that holds it. Linear in dy; its own gradient is avgPool2d.
 */
export function avgPool2dBackward(dy: Tensor, inputShape: readonly number[], opts: AvgPool2dOptions): Tensor {
  const op = 'avgPool2dBackward';
  const g = backwardGeometry(op, dy, inputShape, opts, 'avg');
  const countIncludePad = opts.countIncludePad ?? true;
  const dx = Tensor.empty(inputShape, dy.dtype, dy.device);
  const n = dx.size;
  if (n === 0) return dx;
  const dyd = dense(dy);
  try {
    AVG_POOL_BACKWARD[dy.device.kind](dyd, g, countIncludePad, dx);
    return dx;
  } finally {
    if (dyd !== dy) dyd.dispose();
  }
}
