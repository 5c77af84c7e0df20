/**
 * Helpers of the gradient-check suite: seeded test data and a `check` that runs gradcheck on a
 * device with that device's tolerances and fails with gradcheck's own report. On the CPU (float64)
 * `check` runs gradgradcheck too, so every op's gradient rule is checked to be differentiable
 * itself (a second-order check) wherever its first-order gradient is checked.
 */
import { expect } from 'vitest';
import { cpu, fromArray, gradcheck, gradgradcheck, type Device, type Tensor } from '@saddle/autograd';
import { webgpu } from '../support/devices.js';

/** The devices every gradient check runs on, for `describe.each`. */
export const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
];

/**
 * Tolerances. On the CPU the analytic gradient runs in float64, so it must match the central
 * differences almost exactly (their own error is ~1e-9 here). On WebGPU it runs in float32.
 */
export function tolerances(device: Device, scale = 1): { rtol: number; atol: number } {
  return device.kind === 'cpu' ? { rtol: 1e-6 * scale, atol: 1e-7 * scale } : { rtol: 2e-3 * scale, atol: 1e-4 * scale };
}

/** Runs gradcheck of `fn` at `inputs` on `device` and fails with the report if it does not pass. */
export async function check(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  device: Device,
  opts: { scale?: number; wrt?: number[]; label?: string; secondOrder?: boolean } = {},
): Promise<void> {
  const report = await gradcheck(fn, inputs, { device, ...tolerances(device, opts.scale), wrt: opts.wrt });
  expect(report.ok, `${opts.label ?? ''}\n${report.summary}`).toBe(true);
  if (device.kind !== 'cpu' || opts.secondOrder === false) return;
  const second = await gradgradcheck(fn, inputs, { device, ...tolerances(device, opts.scale), wrt: opts.wrt });
  expect(second.ok, `${opts.label ?? ''} (second order)\n${second.summary}`).toBe(true);
}

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Data {
  /** Uniform in [lo, hi]. */
  range?: [number, number];
  /** Keep every value at least this far from `awayFrom` (kinks: relu at 0, |x| at 0). */
  gap?: number;
  awayFrom?: number;
}

/** Seeded values of `shape` (created on the CPU; gradcheck moves them where it runs). */
export function data(shape: readonly number[], seed: number, opts: Data = {}): Tensor {
  const [lo, hi] = opts.range ?? [-2, 2];
  const gap = opts.gap ?? 0;
  const at = opts.awayFrom ?? 0;
  const next = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const values = Array.from({ length: n }, () => {
    const v = lo + (hi - lo) * next();
    if (Math.abs(v - at) >= gap) return v;
    return v >= at ? at + gap : at - gap;
  });
  return fromArray(values, shape, { dtype: 'f64' });
}

export const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
