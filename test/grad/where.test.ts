import { describe, it } from 'vitest';
import fc from 'fast-check';
import { fromArray, greater, mul, sigmoid, where } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

const broadcastTriple = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }).chain((base) => {
  const derived = fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }).map((ones) => base.map((d, i) => (ones[i] ? 1 : d)));
  return fc.tuple(derived, derived, derived);
});

describe.each(NAMED_DEVICES)('where gradients on %s', (_name, getDevice) => {
  it('where(cond, a, b) with broadcasting: a gets g where cond holds, b elsewhere', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(broadcastTriple, fc.integer({ min: 1, max: 1e6 }), async ([sc, sa, sb], seed) => {
        const cond = data(sc, seed, { range: [-1, 1] });
        await check((c, a, b) => where(greater(c, 0), mul(a, a), sigmoid(b)), [cond, data(sa, seed + 1), data(sb, seed + 2)], device, {
          wrt: [1, 2],
          label: `${JSON.stringify([sc, sa, sb])} seed ${seed}`,
        });
      }),
      { numRuns: 6 },
    );
  });

  it('a number on one side', async () => {
    const device = await getDevice();
    const cond = fromArray([1, 0, 1, 0, 0, 1], [2, 3], { dtype: 'f64' });
    await check((c, a) => where(c, mul(a, a), 0.5), [cond, data([2, 3], 4)], device, { wrt: [1] });
    await check((c, b) => where(c, -1, mul(b, 3)), [cond, data([3], 5)], device, { wrt: [1] });
  });
});
