import { SaddleError, Tensor, checkShape, ones, defaultDevice, fmtShape, sizeOf, type Device, type Shape } from '@saddle/tensor';
import { HOLDS_F64, type DeviceTable } from '../shared/device-table.js';
import { MAX_RANK } from '../shared/strided.js';
import { contiguous } from '../elementwise/elementwise.js';
import { resolveStream, type RandomSource } from '../random/generator.js';
import type { Stream } from '../random/random.cpu.js';
import { dropoutMaskOnCpu, dropoutOnCpu, keepThreshold } from './dropout.cpu.js';
import { dropoutMaskOnWasm, dropoutOnWasm } from './dropout.wasm.js';
import { dropoutMaskOnWebgpu, dropoutOnWebgpu } from './dropout.webgpu.js';

/** A non-empty mask (1/keep or 0 per element) drawn from `stream` into `mask`, on each device. */
const DROPOUT_MASK: DeviceTable<(op: string, stream: Stream, threshold: number, keep: number, mask: Tensor) => void> = {
  cpu: dropoutMaskOnCpu,
  wasm: dropoutMaskOnWasm,
  webgpu: dropoutMaskOnWebgpu,
};

/** Non-empty fused dropout: out = x * mask and the mask, drawn from `stream`, on each device. */
const DROPOUT: DeviceTable<(op: string, x: Tensor, stream: Stream, threshold: number, keep: number, out: Tensor, mask: Tensor) => void> = {
  cpu: dropoutOnCpu,
  wasm: dropoutOnWasm,
  webgpu: dropoutOnWebgpu,
};

export interface DropoutMaskOptions extends RandomSource {
  device?: Device;
  /** f32 (default), or f64 on the CPU. */
  dtype?: 'f32' | 'f64';
}

/** Where dropout's random numbers come from: a generator or a seed. */
export type DropoutOptions = RandomSource;

/** Throws unless 0 < keep <= 1. */
export function checkKeep(op: string, keep: number): void {
  if (typeof keep !== 'number' || !(keep > 0 && keep <= 1)) {
    throw new SaddleError(op, `keep probability ${keep} is out of range; expected 0 < keep <= 1 (keep = 1 disables dropout)`);
  }
}

/**
 * A dropout mask of `shape`: each element is 1/keep with probability `keep` and 0 otherwise
 * (inverted dropout: multiplying by the mask keeps the expectation). The same seed or generator
 * state gives the same mask on the CPU, WebGPU and wasm. keep = 1 gives ones and draws nothing.
 */
export function dropoutMask(shape: Shape, keep: number, opts: DropoutMaskOptions = {}): Tensor {
  const op = 'dropoutMask';
  const { device = defaultDevice(), dtype = 'f32' } = opts;
  checkShape(op, shape);
  checkKeep(op, keep);
  if (dtype !== 'f32' && dtype !== 'f64') throw new SaddleError(op, `dtype ${dtype} is not supported; expected f32 or f64`);
  if (dtype === 'f64' && !HOLDS_F64[device.kind]) throw new SaddleError(op, `dtype f64 is supported on the CPU only; expected f32 on ${device.kind}`);
  const n = sizeOf(shape);
  if (keep === 1) return ones(shape, { dtype, device });
  const stream = resolveStream(op, n, opts);
  const mask = Tensor.empty(shape, dtype, device);
  if (n === 0) return mask;
  const threshold = keepThreshold(keep);
  DROPOUT_MASK[device.kind](op, stream, threshold, keep, mask);
  return mask;
}

/**
 * Inverted dropout in one kernel: `out = x * mask` (dropped elements exactly 0) and the mask it
 * used (0 or 1/keep, x's dtype and shape), for the backward pass (`dy * mask`). x may be a view.
 * The mask is the one `dropoutMask(x.shape, keep, opts)` would draw from the same stream.
 * keep = 1 returns a dense copy of x and a mask of ones, and draws nothing.
 */
export function dropout(x: Tensor, keep: number, opts: DropoutOptions = {}): { out: Tensor; mask: Tensor } {
  const op = 'dropout';
  x.assertAlive(op);
  checkKeep(op, keep);
  if (x.dtype !== 'f32' && x.dtype !== 'f64') throw new SaddleError(op, `x has dtype ${x.dtype}; expected f32 or f64`);
  const device = x.device;
  if (keep === 1) return { out: contiguous(x), mask: ones(x.shape, { dtype: x.dtype, device }) };
  if (x.rank > MAX_RANK) throw new SaddleError(op, `x has rank ${x.rank} ${fmtShape(x.shape)}; expected at most ${MAX_RANK}`);
  const n = x.size;
  const stream = resolveStream(op, n, opts);
  const out = Tensor.empty(x.shape, x.dtype, device);
  const mask = Tensor.empty(x.shape, x.dtype, device);
  if (n === 0) return { out, mask };
  const threshold = keepThreshold(keep);
  DROPOUT[device.kind](op, x, stream, threshold, keep, out, mask);
  return { out, mask };
}
