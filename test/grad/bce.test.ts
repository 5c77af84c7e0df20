import { describe, it } from 'vitest';
import fc from 'fast-check';
import { fromArray, mul, sigmoidBce } from '@saddle/autograd';
import { check, data, devices } from './support.js';

describe.each(devices)('sigmoid-BCE gradients (rules/bce.ts) on %s', (_name, getDevice) => {
  it('sigmoidBce against a target tensor, through its own gradient kernel (and the targets too)', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1e6 }), async (b, n, seed) => {
        await check((z, t) => sigmoidBce(z, t), [data([b, n], seed, { range: [-6, 6] }), data([b, n], seed + 1, { range: [0, 1] })], device, {
          label: `[${b}, ${n}] seed ${seed}`,
        });
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
