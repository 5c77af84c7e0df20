import { describe, it, expect } from 'vitest';
import {
  avgPool2d,
  avgPool2dBackward,
  fromArray,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dWithIndices,
  mul,
  param,
  sum,
  transpose,
  type Tensor,
} from '@saddle/autograd';
import { check, data, devices, rng } from './support.js';

/** Distinct values (a shuffled grid 0.25 apart): no two taps of a window within a finite-difference step. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const next = rng(seed);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.25);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return fromArray(v, shape, { dtype: 'f64' });
}

const MAX_CASES = [
  { kernelSize: 2 },
  { kernelSize: 3, stride: 1, padding: 1 },
  { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 2] },
  { kernelSize: 2, stride: 1, dilation: 2 },
] as const;

const AVG_CASES = [
  { kernelSize: 2 },
  { kernelSize: 3, stride: 1, padding: 1 },
  { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false },
  { kernelSize: [2, 3], stride: [1, 2], padding: [1, 1], countIncludePad: false },
] as const;

describe.each(devices)('pooling gradients (rules/pool.ts) on %s', (_name, getDevice) => {
  it.each(MAX_CASES.map((o) => [JSON.stringify(o), o] as const))('maxPool2d %s, overlapping windows included', async (_label, opts) => {
    const device = await getDevice();
    for (const seed of [1, 2]) await check((x) => maxPool2d(x, opts), [distinct([2, 2, 5, 6], seed)], device, { label: `seed ${seed}` });
  });

  it.each(AVG_CASES.map((o) => [JSON.stringify(o), o] as const))('avgPool2d %s', async (_label, opts) => {
    const device = await getDevice();
    await check((x) => avgPool2d(x, opts), [data([2, 3, 5, 6], 4)], device);
  });

  it('through a view, under a downstream weighting (both pools chained)', async () => {
    const device = await getDevice();
    await check(
      (x, w) => mul(avgPool2d(maxPool2d(transpose(x, [1, 0, 2, 3]), { kernelSize: 3, stride: 1, padding: 1 }), { kernelSize: 2 }), w),
      [distinct([3, 2, 6, 4], 5), data([2, 3, 3, 2], 6)],
      device,
    );
  });

  it('the backward kernels as ops: maxPool2dBackward (its rule gathers) and avgPool2dBackward (its rule is avgPool2d)', async () => {
    const device = await getDevice();
    const opts = { kernelSize: 3, stride: 2, padding: 1 };
    // The indices travel as an (integer, not differentiated) input, so gradcheck moves them with dy.
    const { indices } = maxPool2dWithIndices(distinct([2, 2, 5, 5], 9), opts);
    await check((dy, idx) => maxPool2dBackward(dy, idx, [2, 2, 5, 5], opts), [data([2, 2, 3, 3], 10), indices], device);
    await check((dy) => avgPool2dBackward(dy, [2, 2, 5, 5], { ...opts, countIncludePad: false }), [data([2, 2, 3, 3], 11)], device);
  });

  it("the first maximum takes a tie's whole gradient (PyTorch's rule), and overlapping picks add up", async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 4, 4, 0, 2, 4, 1, 3, 0], [1, 1, 3, 3], { device }));
    sum(mul(maxPool2d(x, { kernelSize: 2, stride: 1 }), fromArray([1, 10, 100, 1000], [1, 1, 2, 2], { device }))).backward();
    // Windows: [1 4; 0 2] -> 4 at 1; [4 4; 2 4] -> 4 at 1 (first); [0 2; 1 3] -> 3 at 7; [2 4; 3 0] -> 4 at 5.
    expect(Array.from(await x.grad!.toArray())).toEqual([0, 11, 0, 0, 0, 1000, 0, 100, 0]);
  });
});
