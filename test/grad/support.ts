/**
 * Helpers of the gradient-check suite: seeded test data and a `check` that runs gradcheck on a
 * device with that device's tolerances and fails with gradcheck's own report. On the CPU (float64)
 * `check` runs gradgradcheck too, so every op's gradient rule is checked to be differentiable
 * itself (a second-order check) wherever its first-order gradient is checked.
 */
import { expect } from 'vitest';
import { cpu, fromArray, gradcheck, gradgradcheck, isFloat, requiresGrad, runBackward, tidy, type Device, type Tensor } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

/** The devices every gradient check runs on, for `describe.each`. */
export const devices = NAMED_DEVICES;

/**
 * Tolerances. On the CPU the analytic gradient runs in float64, so it must match the central
 * differences almost exactly (their own error is ~1e-9 here). On WebGPU and wasm it runs in float32.
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
  // wasm: also against the CPU's own f32 gradients, a much tighter check than finite differences.
  if (device.kind === 'wasm' && !opts.wrt) await checkAgainstCpuF32(fn, inputs, device, { label: opts.label });
  if (device.kind !== 'cpu' || opts.secondOrder === false) return;
  const second = await gradgradcheck(fn, inputs, { device, ...tolerances(device, opts.scale), wrt: opts.wrt });
  expect(second.ok, `${opts.label ?? ''} (second order)\n${second.summary}`).toBe(true);
}

/**
 * The gradients of <P, fn(inputs)> (P a fixed projection of seeded values in [-1, 1]; P = 1 for a
 * scalar output) with respect to the float inputs, computed by one backward pass on `device` in
 * f32, as doubles.
 */
export async function f32Gradients(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], device: Device): Promise<Float64Array[]> {
  const args = await Promise.all(inputs.map(async (x) => fromArray(await x.toArray(), x.shape, { dtype: isFloat(x.dtype) ? 'f32' : x.dtype, device })));
  const leaves = args.filter((a) => isFloat(a.dtype)).map((a) => requiresGrad(a));
  try {
    const grads = tidy(() => {
      const out = fn(...args);
      const next = rng(7);
      const seed =
        out.size === 1
          ? undefined
          : fromArray(
              Array.from({ length: out.size }, () => 2 * next() - 1),
              out.shape,
              { device },
            );
      const map = runBackward(out, seed, false, leaves);
      return leaves.map((l) => map.get(l) ?? null);
    });
    const result = await Promise.all(grads.map(async (g, i) => (g ? Float64Array.from(await g.toArray()) : new Float64Array(leaves[i]!.size))));
    for (const g of grads) g?.dispose();
    return result;
  } finally {
    for (const a of args) a.dispose();
  }
}

/**
 * On an f32 device other than the CPU (wasm): its analytic gradients equal the CPU's f32 ones
 * within `rtol` of the largest gradient magnitude of each input (plus `atol`). Both sides run the
 * same rules in f32 (the CPU twins keep f32 storage but compute each kernel in doubles and round
 * once), so they differ only by the f32 roundings each kernel's result takes: a few ULPs per op,
 * compounded over the graph. The default rtol 1e-5 is ~80 f32 ULPs of the largest element, room
 * for reductions that sum in a different order (a few ULPs of the sum of |terms|).
 */
export async function checkAgainstCpuF32(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  device: Device,
  opts: { rtol?: number; atol?: number; label?: string } = {},
): Promise<void> {
  const [want, got] = [await f32Gradients(fn, inputs, cpu), await f32Gradients(fn, inputs, device)];
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expectClose(got[i]!, w, {
      atol: (opts.atol ?? 1e-7) + (opts.rtol ?? 1e-5) * scale,
      rtol: 0,
      label: `${opts.label ?? ''} input ${i} on ${device.name} vs the CPU in f32`,
    });
  });
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
