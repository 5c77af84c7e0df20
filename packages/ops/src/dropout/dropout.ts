import { Params, SaddleError, Tensor, checkShape, ones, defaultDevice, fmtShape, sizeOf, type Device, type Shape } from '@saddle/tensor';
import { asGpu, asWasm, grid1d } from '../shared/launch.js';
import { MAX_RANK, wasmDims } from '../shared/strided.js';
import { contiguous } from '../elementwise/elementwise.js';
import { resolveStream, type RandomSource } from '../random/generator.js';
import type { Stream } from '../random/random.cpu.js';
import { dropoutCpu, dropoutMaskCpu, keepThreshold } from './dropout.cpu.js';
import { dropoutWgsl } from './dropout.wgsl.js';

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

function params(n: number, threshold: number, s: Stream, scale: number, rank = 0, xOffset = 0, shape: readonly number[] = [], strides: readonly number[] = []): Uint8Array {
  return new Params()
    .u32(n, rank, xOffset, threshold, s.key[0], s.key[1], s.offset[0], s.offset[1])
    .f32(scale)
    .u32(0, 0, 0)
    .vec4u(shape, 2)
    .vec4u(strides, 2)
    .finish();
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
  if (dtype === 'f64' && device.kind !== 'cpu') throw new SaddleError(op, `dtype f64 is supported on the CPU only; expected f32 on ${device.kind}`);
  const n = sizeOf(shape);
  if (keep === 1) return ones(shape, { dtype, device });
  const stream = resolveStream(op, n, opts);
  const mask = Tensor.empty(shape, dtype, device);
  if (n === 0) return mask;
  const threshold = keepThreshold(keep);
  if (device.kind === 'cpu') {
    dropoutMaskCpu(stream, threshold, dtype === 'f32' ? Math.fround(1 / keep) : 1 / keep, mask.storage.data!);
    return mask;
  }
  if (device.kind === 'wasm') {
    const w = asWasm(device);
    w.run('dropoutMask', [n, w.address(mask.storage), ...stream.key, ...stream.offset, threshold, 1 / keep], 16 * n);
    return mask;
  }
  asGpu(device, op).dispatch({
    label: op,
    code: dropoutWgsl('f32', false, true),
    params: params(n, threshold, stream, 1 / keep),
    buffers: [mask.storage],
    workgroups: grid1d(Math.ceil(n / 4)),
  });
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
  if (device.kind === 'cpu') {
    const scale = x.dtype === 'f32' ? Math.fround(1 / keep) : 1 / keep;
    dropoutCpu(stream, threshold, scale, x.storage.data!, x.shape, x.strides, x.offset, out.storage.data!, mask.storage.data!);
    return { out, mask };
  }
  if (device.kind === 'wasm') {
    const w = asWasm(device);
    const { rank, dims } = wasmDims(x.shape, [x.strides]);
    const args = [n, w.address(x.storage, x.offset), w.address(out.storage), w.address(mask.storage), ...stream.key, ...stream.offset, threshold, 1 / keep, rank, w.ints(dims)] as const;
    w.run('dropoutApply', args, 16 * n);
    return { out, mask };
  }
  asGpu(device, op).dispatch({
    label: op,
    code: dropoutWgsl('f32', true, x.isDense),
    params: params(n, threshold, stream, 1 / keep, x.rank, x.offset, x.shape, x.strides),
    buffers: [x.storage, out.storage, mask.storage],
    workgroups: grid1d(Math.ceil(n / 4)),
  });
  return { out, mask };
}
