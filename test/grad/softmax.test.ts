import { describe, it } from 'vitest';
import fc from 'fast-check';
import { logSoftmax, mul, softmax, transpose } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

const caseArb = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: -shape.length, max: shape.length - 1 }), fc.integer({ min: 1, max: 1e6 })));

describe.each(NAMED_DEVICES)('softmax and logSoftmax gradients on %s', (_name, getDevice) => {
  for (const [name, op] of [
    ['softmax', softmax],
    ['logSoftmax', logSoftmax],
  ] as const) {
    it(`${name} along any axis`, async () => {
      const device = await getDevice();
      await fc.assert(
        fc.asyncProperty(caseArb, async ([shape, axis, seed]) => {
          await check((x) => op(x, axis), [data(shape, seed, { range: [-3, 3] })], device, {
            label: `${name} ${JSON.stringify(shape)} axis ${axis} seed ${seed}`,
          });
        }),
        { numRuns: 5 },
      );
    });

    it(`${name} of a transposed view, under a downstream weighting`, async () => {
      const device = await getDevice();
      await check((x, w) => mul(op(transpose(x), 1), w), [data([5, 3], 4), data([3, 5], 5)], device);
    });
  }
});
