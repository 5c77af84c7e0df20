import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, dropout, fromArray, maxout, maxoutDropout, mul, param, sigmoidBce, sum, transpose, type Device } from '@saddle/autograd';
import { wasm, webgpu } from '../support/devices.js';
import { check, data } from './support.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  ['wasm', () => wasm()],
];

describe.each(devices)('maxout, dropout and sigmoid-BCE gradients on %s', (_name, getDevice) => {
  it('maxout, through the argmax it saved', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 1e6 }), async (rows, units, pieces, seed) => {
        await check((x) => maxout(x, pieces).out, [data([rows, units * pieces], seed)], device, { label: `maxout [${rows}, ${units}x${pieces}] seed ${seed}` });
      }),
      { numRuns: 6 },
    );
  });

  it('maxout of a transposed view', async () => {
    const device = await getDevice();
    await check((x) => maxout(transpose(x), 3).out, [data([6, 4], 3)], device);
  });

  it('dropout with a fixed seed: the gradient is the saved mask (the same mask on every call)', async () => {
    const device = await getDevice();
    for (const keep of [0.5, 0.8, 1]) {
      await check((x) => dropout(x, keep, { seed: 1234 }).out, [data([5, 7], 4)], device, { label: `keep ${keep}` });
    }
  });

  it('dropout passes the gradient exactly where the mask kept the element, scaled by 1/keep', async () => {
    const device = await getDevice();
    const x = param(fromArray(Array.from({ length: 64 }, (_, i) => i / 10), [8, 8], { device }));
    const { out, mask } = dropout(x, 0.5, { seed: 7 });
    sum(mul(out, 3)).backward();
    const m = await mask.toArray();
    const g = await x.grad!.toArray();
    expect(Array.from(g)).toEqual(Array.from(m, (v) => 3 * v));
    expect(m.some((v) => v === 0)).toBe(true);
    expect(m.some((v) => v === 2)).toBe(true);
  });

  it('maxoutDropout with a fixed seed: the gradient goes through the saved mask to the saved argmax', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0.5, 0.8, 0.3, 1),
        fc.integer({ min: 1, max: 1e6 }),
        async (rows, units, pieces, keep, seed) => {
          await check((x) => maxoutDropout(x, pieces, keep, { seed: 99 }).out, [data([rows, units * pieces], seed)], device, {
            label: `maxoutDropout [${rows}, ${units}x${pieces}] keep ${keep} seed ${seed}`,
          });
        },
      ),
      { numRuns: 6 },
    );
  });

  it('maxoutDropout of a transposed view, under a downstream weighting', async () => {
    const device = await getDevice();
    const w = data([4, 2], 8);
    await check((x, wt) => mul(maxoutDropout(transpose(x), 3, 0.5, { seed: 5 }).out, wt), [data([6, 4], 3), w], device);
  });

  it('maxoutDropout has exactly the gradient of dropout(maxout(x)) with the same seed', async () => {
    const device = await getDevice();
    const values = Array.from({ length: 6 * 12 }, (_, i) => Math.sin(i * 1.7) * 3);
    const weights = fromArray(Array.from({ length: 6 * 4 }, (_, i) => i - 11.5), [6, 4], { device });
    const grads: number[][] = [];
    for (const fused of [true, false]) {
      const x = param(fromArray(values, [6, 12], { device }));
      const y = fused ? maxoutDropout(x, 3, 0.5, { seed: 21 }).out : dropout(maxout(x, 3).out, 0.5, { seed: 21 }).out;
      sum(mul(y, weights)).backward();
      grads.push(Array.from(await x.grad!.toArray()));
    }
    expect(grads[0]).toEqual(grads[1]);
    expect(grads[0]!.some((v) => v !== 0)).toBe(true);
    expect(grads[0]!.filter((v) => v !== 0).length).toBeLessThan(6 * 4);
  });

  it('sigmoidBce against a target tensor, through its own gradient kernel (and the targets too)', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1e6 }), async (b, n, seed) => {
        await check((z, t) => sigmoidBce(z, t), [data([b, n], seed, { range: [-6, 6] }), data([b, n], seed + 1, { range: [0, 1] })], device, { label: `[${b}, ${n}] seed ${seed}` });
      }),
      { numRuns: 5 },
    );
  });

  it('sigmoidBce against a number (the GAN labels 0 and 1), with a downstream scale', async () => {
    const device = await getDevice();
    for (const target of [0, 1]) {
      await check((z) => mul(sigmoidBce(z, target), -2.5), [data([7, 1], 5, { range: [-8, 8] })], device, { label: `target ${target}` });
    }
  });

  it('sigmoidBce is finite and exact for saturated logits (|z| = 30)', async () => {
    const device = await getDevice();
    await check((z) => sigmoidBce(z, 1), [fromArray([-30, 30, -15, 15], [4, 1], { dtype: 'f64' })], device);
  });
});
