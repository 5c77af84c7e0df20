import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device } from '@saddle/tensor';
import { clamp, leakyRelu, transpose } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  ['wasm', () => wasm()],
];

const floats = (n: number) => fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n, maxLength: n });

describe.each(devices)('clamp and leakyRelu on %s', (_name, getDevice) => {
  it('clamp: every element lies in [lo, hi], and elements already inside are unchanged', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(floats(37), fc.float({ min: -500, max: 500, noNaN: true }), fc.float({ min: 0, max: 500, noNaN: true }), async (xs, lo, width) => {
        const hi = Math.fround(lo + width);
        const got = Array.from(await clamp(fromArray(xs, [37], { device }), lo, hi).toArray());
        got.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(lo);
          expect(v).toBeLessThanOrEqual(hi);
          expect(v).toBe(Math.min(Math.max(xs[i]!, lo), hi));
        });
      }),
      { numRuns: 15 },
    );
  });

  it('leakyRelu: x where x > 0, alpha·x elsewhere, exactly (one f32 multiply)', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(floats(29), fc.constantFrom(0, 0.01, 0.2, 1, -0.5), async (xs, alpha) => {
        const got = Array.from(await leakyRelu(fromArray(xs, [29], { device }), alpha).toArray(), (v) => v + 0);
        // The uniform holds alpha as an f32; the CPU twin multiplies in doubles, then rounds.
        const a = device.kind === 'cpu' ? alpha : Math.fround(alpha);
        expect(got).toEqual(xs.map((x) => (x > 0 ? x : Math.fround(a * x)) + 0));
      }),
      { numRuns: 15 },
    );
  });

  it('reads views (a transposed input) and keeps the shape', async () => {
    const device = await getDevice();
    const x = fromArray([-3, -1, 0, 1, 2, 5], [2, 3], { device });
    const y = leakyRelu(transpose(x), 0.5);
    expect(y.shape).toEqual([3, 2]);
    expect(Array.from(await y.toArray())).toEqual([-1.5, 1, -0.5, 2, 0, 5]);
    expect(Array.from(await clamp(transpose(x), -1, 1).toArray())).toEqual([-1, 1, -1, 1, 0, 1]);
  });

  it('rejects lo > hi and integer tensors with clear errors', async () => {
    const device = await getDevice();
    expect(() => clamp(fromArray([1], [1], { device }), 2, 1)).toThrow(/clamp: lo 2 and hi 1: expected lo <= hi/);
    expect(() => leakyRelu(fromArray([1], [1], { device, dtype: 'i32' }))).toThrow(/leakyRelu: x has dtype i32/);
  });
});

describe('clamp and leakyRelu on wasm', () => {
  it('keep NaN, as the CPU twins (min/max and the multiply propagate it)', async () => {
    for (const device of [cpu, await wasm()]) {
      const x = fromArray([NaN, -2, 3, NaN, 0.5], [5], { device });
      expect(Array.from(await clamp(x, -1, 1).toArray()).map(String), device.kind).toEqual(['NaN', '-1', '1', 'NaN', '0.5']);
      expect(Array.from(await leakyRelu(x, 0.5).toArray()).map(String), device.kind).toEqual(['NaN', '-1', '3', 'NaN', '0.5']);
    }
  });

  it('1 thread and 2 threads agree bit for bit (10_007 elements: uneven shares and scalar tails)', async () => {
    const n = 10_007;
    const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 20);
    const results = [];
    for (const device of [await wasm(1), await wasm(2)]) {
      const x = fromArray(data, [n], { device });
      results.push([await clamp(x, -3.5, 7.25).toArray(), await leakyRelu(x, 0.1).toArray()]);
    }
    expect(results[1]![0]).toEqual(results[0]![0]);
    expect(results[1]![1]).toEqual(results[0]![1]);
  });
});
