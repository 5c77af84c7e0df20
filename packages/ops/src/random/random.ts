import { SaddleError, Tensor, checkShape, defaultDevice, fmtShape, sizeOf, type Device, type DType, type Shape } from '@saddle/tensor';
import { HOLDS_F64, type DeviceTable } from '../shared/device-table.js';
import { resolveStream, seedKey, type RandomSource, type Seed } from './generator.js';
import { philoxOnCpu, randomOnCpu, type Stream } from './random.cpu.js';
import { philoxOnWasm, randomOnWasm } from './random.wasm.js';
import { philoxOnWebgpu, randomOnWebgpu } from './random.webgpu.js';
import type { RandomKind } from './random.wgsl.js';

/** A non-empty draw of `kind` from `stream` into `out` (a, b: the draw's two numbers), on each device. */
const RANDOM: DeviceTable<(op: string, kind: RandomKind, stream: Stream, a: number, b: number, out: Tensor) => void> = {
  cpu: randomOnCpu,
  wasm: randomOnWasm,
  webgpu: randomOnWebgpu,
};

/** Philox4x32-10 of non-empty dense counters under `key` into `out`, on each device. */
const PHILOX: DeviceTable<(op: string, counters: Tensor, key: readonly [number, number], out: Tensor) => void> = {
  cpu: philoxOnCpu,
  wasm: philoxOnWasm,
  webgpu: philoxOnWebgpu,
};

export interface RandOptions extends RandomSource {
  /** Lower bound (inclusive), default 0. */
  low?: number;
  /** Upper bound (exclusive), default 1. */
  high?: number;
  device?: Device;
  /** f32 (default), or f64 on the CPU. */
  dtype?: 'f32' | 'f64';
}

export interface RandnOptions extends RandomSource {
  mean?: number;
  std?: number;
  device?: Device;
  dtype?: 'f32' | 'f64';
}

export interface RandintOptions extends RandomSource {
  device?: Device;
}

function checkFinite(op: string, name: string, v: number): void {
  if (!Number.isFinite(v)) throw new SaddleError(op, `${name} is ${v}; expected a finite number`);
}

function floatDType(op: string, dtype: DType, device: Device): void {
  if (dtype !== 'f32' && dtype !== 'f64') throw new SaddleError(op, `dtype ${dtype} is not supported; expected f32 or f64`);
  if (dtype === 'f64' && !HOLDS_F64[device.kind]) throw new SaddleError(op, `dtype f64 is supported on the CPU only; expected f32 on ${device.kind}`);
}

/** Allocates the output, takes the counters, then runs the device's draw (the CPU twin on the CPU). */
function draw(op: string, kind: RandomKind, shape: Shape, dtype: DType, device: Device, source: RandomSource, a: number, b: number): Tensor {
  const n = sizeOf(shape);
  const stream = resolveStream(op, n, source);
  const out = Tensor.empty(shape, dtype, device, op);
  if (n === 0) return out;
  RANDOM[device.kind](op, kind, stream, a, b, out);
  return out;
}

/**
 * Uniform random numbers in [low, high): `low + (high - low) * u`, `u = (x >>> 8) * 2^-24` for a
 * Philox word x. The default [0, 1) draw is bit-identical on the CPU, WebGPU and wasm.
 */
export function rand(shape: Shape, opts: RandOptions = {}): Tensor {
  const { low = 0, high = 1, device = defaultDevice(), dtype = 'f32' } = opts;
  checkShape('rand', shape);
  checkFinite('rand', 'low', low);
  checkFinite('rand', 'high', high);
  if (!(low <= high)) throw new SaddleError('rand', `low ${low} is above high ${high}; expected low <= high`);
  floatDType('rand', dtype, device);
  return draw('rand', 'uniform', shape, dtype, device, opts, low, high - low);
}

/**
 * Normal random numbers `mean + std * z` by Box-Muller on pairs of Philox words. The CPU and WebGPU
 * agree up to the rounding of log, sqrt, sin and cos in f32; wasm computes in f64 as the CPU does and
 * agrees with it to one f32 rounding (bit for bit but for values at an f32 rounding boundary).
 */
export function randn(shape: Shape, opts: RandnOptions = {}): Tensor {
  const { mean = 0, std = 1, device = defaultDevice(), dtype = 'f32' } = opts;
  checkShape('randn', shape);
  checkFinite('randn', 'mean', mean);
  checkFinite('randn', 'std', std);
  if (std < 0) throw new SaddleError('randn', `std ${std} is negative; expected std >= 0`);
  floatDType('randn', dtype, device);
  return draw('randn', 'normal', shape, dtype, device, opts, mean, std);
}

/** Integers uniform in [low, high) as i32: `low + mulhi(x, high - low)`. Identical on every device. */
export function randint(shape: Shape, low: number, high: number, opts: RandintOptions = {}): Tensor {
  const { device = defaultDevice() } = opts;
  checkShape('randint', shape);
  const I32_MIN = -0x80000000;
  const I32_MAX = 0x7fffffff;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < I32_MIN || high > I32_MAX + 1 || !(low < high)) {
    throw new SaddleError('randint', `range [${low}, ${high}) is invalid; expected integers with -2^31 <= low < high <= 2^31`);
  }
  if (high - low > 0xffffffff) throw new SaddleError('randint', `range [${low}, ${high}) is wider than 2^32 - 1`);
  return draw('randint', 'int', shape, 'i32', device, opts, low, high - low);
}

/** The raw Philox words as u32 (element i: word i % 4 of counter block offset + floor(i / 4)). */
export function randomBits(shape: Shape, opts: RandintOptions = {}): Tensor {
  const { device = defaultDevice() } = opts;
  checkShape('randomBits', shape);
  return draw('randomBits', 'bits', shape, 'u32', device, opts, 0, 0);
}

/**
 * Philox4x32-10 of caller-given counters: `counters` is a dense u32 tensor of shape [..., 4] (one
 * 128-bit counter per row, least significant word first), `key` a seed or its two words [lo, hi].
 * Returns a u32 tensor of the same shape. The raw generator, for known-answer tests and custom schemes.
 */
export function philox(counters: Tensor, key: Seed | readonly [number, number]): Tensor {
  const op = 'philox';
  counters.assertAlive(op);
  if (counters.dtype !== 'u32') throw new SaddleError(op, `counters have dtype ${counters.dtype}; expected u32`);
  if (counters.rank === 0 || counters.shape[counters.rank - 1] !== 4) {
    throw new SaddleError(op, `counters have shape ${fmtShape(counters.shape)}; expected [..., 4]`);
  }
  if (!counters.isDense) throw new SaddleError(op, 'counters are a strided view; expected a dense tensor (use contiguous)');
  const k: [number, number] = Array.isArray(key) ? [key[0]! >>> 0, key[1]! >>> 0] : seedKey(op, key as Seed);
  const out = Tensor.empty(counters.shape, 'u32', counters.device);
  const blocks = counters.size / 4;
  if (blocks === 0) return out;
  PHILOX[counters.device.kind](op, counters, k, out);
  return out;
}
