import { describe, it } from 'vitest';
import fc from 'fast-check';
import { clamp, fromArray, leakyRelu } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });

describe.each(NAMED_DEVICES)('clamp and leakyRelu gradients on %s', (_name, getDevice) => {
  it('leakyRelu, away from the kink at 0', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.constantFrom(0.01, 0.2, 0.7), fc.integer({ min: 1, max: 1e6 }), async (shape, alpha, seed) => {
        await check((x) => leakyRelu(x, alpha), [data(shape, seed, { gap: 0.05 })], device, { label: `${JSON.stringify(shape)} alpha ${alpha} seed ${seed}` });
      }),
      { numRuns: 5 },
    );
  });

  it('clamp: passes inside, zero where clamped (inputs kept off the bounds)', async () => {
    const device = await getDevice();
    // Values on both sides of both bounds, none within 0.1 of one.
    const x = fromArray([-1.7, -1.2, -0.8, -0.6, -0.4, -0.1, 0.2, 0.5, 0.8, 0.9, 1.1, 1.3, 1.9], [13], { dtype: 'f64' });
    await check((t) => clamp(t, -0.5, 1), [x], device);
  });
});
