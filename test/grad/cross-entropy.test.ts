import { describe, it } from 'vitest';
import fc from 'fast-check';
import { crossEntropy, crossEntropyGrad, fromArray, mul, sum } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data, rng } from './support.js';

const labels = (rows: number, classes: number, seed: number) => {
  const next = rng(seed);
  return fromArray(
    Array.from({ length: rows }, () => Math.floor(next() * classes)),
    [rows],
    { dtype: 'i32' },
  );
};

describe.each(NAMED_DEVICES)('crossEntropy gradients on %s', (_name, getDevice) => {
  it('crossEntropy(logits, labels), through its fused gradient kernel', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1e6 }), async (rows, classes, seed) => {
        await check((x, l) => crossEntropy(x, l), [data([rows, classes], seed, { range: [-4, 4] }), labels(rows, classes, seed)], device, {
          wrt: [0],
          label: `[${rows}, ${classes}] seed ${seed}`,
        });
      }),
      { numRuns: 5 },
    );
  });

  it('crossEntropy under a downstream scale, with saturated logits', async () => {
    const device = await getDevice();
    const x = fromArray([30, -30, 0, -25, 28, 1], [2, 3], { dtype: 'f64' });
    await check((z, l) => mul(crossEntropy(z, l), -2.5), [x, fromArray([0, 2], [2], { dtype: 'i32' })], device, { wrt: [0] });
  });

  it('crossEntropyGrad (the gradient kernel as an op) with respect to the logits and the scale', async () => {
    const device = await getDevice();
    const w = data([4, 3], 9);
    await check((z, l, s, wt) => sum(mul(crossEntropyGrad(z, l, s), wt)), [data([4, 3], 2), labels(4, 3, 7), data([], 3), w], device, { wrt: [0, 2] });
  });
});
