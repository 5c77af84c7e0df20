import { describe, it } from 'vitest';
import fc from 'fast-check';
import { fromArray, gather, mul, scatterAdd, sum } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

describe.each(NAMED_DEVICES)('gather and scatterAdd gradients on %s', (_name, getDevice) => {
  it('gather along any axis, with repeated indices', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
          .chain((shape) =>
            fc
              .integer({ min: 0, max: shape.length - 1 })
              .chain((axis) =>
                fc.tuple(
                  fc.constant(shape),
                  fc.constant(axis),
                  fc.array(fc.integer({ min: 0, max: shape[axis]! - 1 }), { minLength: 1, maxLength: 5 }),
                  fc.integer({ min: 1, max: 1e6 }),
                ),
              ),
          ),
        async ([shape, axis, indices, seed]) => {
          const idx = fromArray(indices, [indices.length], { dtype: 'i32' });
          // Squared so the second-order check has a non-zero Hessian to compare.
          await check((x, i) => mul(gather(x, i, axis), gather(x, i, axis)), [data(shape, seed), idx], device, {
            wrt: [0],
            label: `${JSON.stringify(shape)} axis ${axis} indices ${JSON.stringify(indices)}`,
          });
        },
      ),
      { numRuns: 6 },
    );
  });

  it('scatterAdd (gather gradient as an op)', async () => {
    const device = await getDevice();
    const idx = fromArray([1, 0, 1], [3], { dtype: 'i32' });
    await check((s, i, w) => sum(mul(scatterAdd(mul(s, s), i, 1, 2), w)), [data([2, 3], 3), idx, data([2, 2], 4)], device, { wrt: [0, 2] });
  });
});
