import { describe, it } from 'vitest';
import fc from 'fast-check';
import { bmm, transpose } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

describe.each(NAMED_DEVICES)('bmm gradients on %s', (_name, getDevice) => {
  it('with broadcast batch dims and every transA/transB', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<[number[], number[]]>(
          [[2], [2]],
          [[2, 1], [3]],
          [[], [2]],
          [[3], []],
          [
            [1, 2],
            [2, 1],
          ],
        ),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1e6 }),
        async ([ba, bb], transA, transB, seed) => {
          const [m, k, n] = [2, 3, 2];
          const sa = [...ba, ...(transA ? [k, m] : [m, k])];
          const sb = [...bb, ...(transB ? [n, k] : [k, n])];
          await check((a, b) => bmm(a, b, { transA, transB }), [data(sa, seed), data(sb, seed + 1)], device, {
            label: JSON.stringify({ sa, sb, transA, transB }),
          });
        },
      ),
      { numRuns: 8 },
    );
  });

  it('of a transposed view, and an operand used on both sides (a Gram matrix)', async () => {
    const device = await getDevice();
    await check((a, b) => bmm(transpose(a, [0, 2, 1]), b), [data([2, 3, 2], 7), data([2, 3, 4], 8)], device);
    await check((a) => bmm(a, a, { transB: true }), [data([2, 2, 3], 9)], device);
  });
});
