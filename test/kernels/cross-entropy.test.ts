import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device } from '@saddle/tensor';
import { crossEntropy, crossEntropyGrad, crossEntropyGradCpu, crossEntropyRowsCpu } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';
import { randomNumbers } from '../support/random-data.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  ['wasm', () => wasm()],
];

describe.each(devices)('crossEntropy and its gradient kernel on %s', (_name, getDevice) => {
  it('match the double-precision reference (logits up to +-1000)', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer(),
        fc.constantFrom(1, 30, 1000),
        fc.double({ min: -3, max: 3, noNaN: true }),
        async (rows, classes, seed, scale, s) => {
          const values = randomNumbers(rows * classes, seed, -scale, scale);
          const labels = randomNumbers(rows, seed + 1, 0, classes).map(Math.floor);
          const x = fromArray(values, [rows, classes], { device });
          const l = fromArray(labels, [rows], { device, dtype: 'i32' });
          const perRow = new Float64Array(rows);
          crossEntropyRowsCpu(Float64Array.from(values), Int32Array.from(labels), rows, classes, perRow);
          const want = perRow.reduce((a, b) => a + b, 0) / rows;
          expectClose(await crossEntropy(x, l).toArray(), [want], { rtol: 1e-5, atol: 1e-5 * scale });
          const grad = new Float64Array(rows * classes);
          crossEntropyGradCpu(Float64Array.from(values), Int32Array.from(labels), rows, classes, s / rows, grad);
          const sTensor = fromArray([s], [], { device });
          expectClose(await crossEntropyGrad(x, l, sTensor).toArray(), grad, { rtol: 1e-5, atol: 1e-6 });
          expectClose(await crossEntropyGrad(x, l, s).toArray(), grad, { rtol: 1e-5, atol: 1e-6 });
        },
      ),
      { numRuns: 20 },
    );
  });

  it('is the mean of -logSoftmax at the labels, and its gradient rows sum to 0', async () => {
    const device = await getDevice();
    const x = fromArray([2, 0, -1, 0.5, 0.5, 0.5], [2, 3], { device });
    const l = fromArray([0, 2], [2], { device, dtype: 'i32' });
    const lse0 = Math.log(Math.exp(2) + 1 + Math.exp(-1));
    const want = (lse0 - 2 + Math.log(3)) / 2;
    expectClose(await crossEntropy(x, l).toArray(), [want], { rtol: 1e-6 });
    const g = Array.from(await crossEntropyGrad(x, l).toArray());
    expect(Math.abs(g[0]! + g[1]! + g[2]!)).toBeLessThan(1e-7);
    expect(Math.abs(g[3]! + g[4]! + g[5]!)).toBeLessThan(1e-7);
    expect(g[5]).toBeLessThan(0);
  });

  it('a confident right answer costs ~0 and a confident wrong one ~the logit gap, with no overflow', async () => {
    const device = await getDevice();
    const x = fromArray([1e4, 0, 0, 1e4], [2, 2], { device });
    const right = await crossEntropy(x, fromArray([0, 1], [2], { device, dtype: 'i32' })).item();
    const wrong = await crossEntropy(x, fromArray([1, 0], [2], { device, dtype: 'i32' })).item();
    expect(right).toBe(0);
    expectClose([wrong], [1e4], { rtol: 1e-6 });
  });

  it('rejects bad labels with a clear error (out of range: thrown on the CPU and wasm, NaN on WebGPU)', async () => {
    const device = await getDevice();
    const x = fromArray([1, 2, 3, 4], [2, 2], { device });
    expect(() => crossEntropy(x, fromArray([0, 1], [2], { device }))).toThrow(/crossEntropy: labels have dtype f32; expected i32/);
    expect(() => crossEntropy(x, fromArray([0], [1], { device, dtype: 'i32' }))).toThrow(/labels of shape \[2\]/);
    const bad = fromArray([0, 2], [2], { device, dtype: 'i32' });
    if (device.kind !== 'webgpu') {
      expect(() => crossEntropy(x, bad)).toThrow(/label 2 of row 1 is out of range/);
      expect(() => crossEntropyGrad(x, bad)).toThrow(/label 2 of row 1 is out of range/);
    } else expect(Number.isNaN(await crossEntropy(x, bad).item())).toBe(true);
  });
});

describe('crossEntropy on wasm: 1 thread and 2 threads agree bit for bit', () => {
  it('the loss and the gradient, 37 rows of 13 classes (tails in every row)', async () => {
    const rows = 37;
    const classes = 13;
    const values = Array.from({ length: rows * classes }, (_, i) => Math.sin(i * 0.7) * 20);
    const labels = Array.from({ length: rows }, (_, i) => (i * 5) % classes);
    const results = [];
    for (const device of [await wasm(1), await wasm(2)]) {
      const x = fromArray(values, [rows, classes], { device });
      const l = fromArray(labels, [rows], { device, dtype: 'i32' });
      results.push([await crossEntropy(x, l).toArray(), await crossEntropyGrad(x, l, 0.5).toArray()]);
    }
    expect(results[1]![0]).toEqual(results[0]![0]);
    expect(results[1]![1]).toEqual(results[0]![1]);
  });
});
