import { describe, it } from 'vitest';
import fc from 'fast-check';
import { fromArray, max, mean, sum, sumTo } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

/** A shape of rank 1..4 and a subset of its axes (maybe none: all), and keepDims. */
const reduceCase = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
  fc.tuple(
    fc.constant(shape),
    fc.option(
      fc.subarray(
        shape.map((_, i) => i),
        { minLength: 1 },
      ),
      { nil: undefined },
    ),
    fc.boolean(),
    fc.integer({ min: 1, max: 1e6 }),
  ),
);

describe.each(NAMED_DEVICES)('reduction gradients on %s', (_name, getDevice) => {
  for (const [name, op] of [
    ['sum', sum],
    ['mean', mean],
    ['max', max],
  ] as const) {
    it(`${name} over random axes, with and without keepDims`, async () => {
      const device = await getDevice();
      await fc.assert(
        fc.asyncProperty(reduceCase, async ([shape, axes, keepDims, seed]) => {
          await check((x) => op(x, axes, keepDims), [data(shape, seed)], device, {
            label: `${name} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keepDims ${keepDims} seed ${seed}`,
          });
        }),
        { numRuns: 6 },
      );
    });
  }

  it('negative axes', async () => {
    const device = await getDevice();
    await check((x) => sum(x, -1), [data([3, 4], 1)], device);
    await check((x) => mean(x, [-2, -1], true), [data([2, 3, 4], 2)], device);
    await check((x) => max(x, -2), [data([2, 5, 3], 3)], device);
  });

  it('max shares the gradient between two tied maxima, as central differences do', async () => {
    // (With c > 2 tied elements the rule gives each 1/c, a subgradient; central differences see 1/2.)
    const device = await getDevice();
    const x = fromArray([1, 3, 3, 2, -1, -4, -1, -5], [2, 4], { dtype: 'f64' });
    // At a tie the first derivative jumps: there is no second derivative to check.
    await check((t) => max(t, 1), [x], device, { secondOrder: false });
    await check((t) => max(t), [x], device, { secondOrder: false });
  });

  it('sumTo: the gradient of broadcasting, broadcast back', async () => {
    const device = await getDevice();
    await check((x) => sumTo(x, [4]), [data([3, 4], 4)], device);
    await check((x) => sumTo(x, [3, 1]), [data([3, 4], 5)], device);
    await check((x) => sumTo(x, [1, 4, 1]), [data([2, 3, 4, 5], 6)], device);
    await check((x) => sumTo(x, []), [data([2, 3], 7)], device);
    await check((x) => sumTo(x, [2, 3]), [data([2, 3], 8)], device);
  });
});
