/**
 * Gradients of matmul beyond two matrices (1-D operands, broadcast batch dims, transA/transB, bias,
 * activation), on every device: recorded as the ops it is made of, with bmm's rule summing the
 * broadcast batch dims back out.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { matmul } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

describe.each(NAMED_DEVICES)('matmul (torch.matmul broadcasting) gradients on %s', (_name, getDevice) => {
  it('1-D and batched operands with broadcast batch dims and every transA/transB', async () => {
    const device = await getDevice();
    const [m, k, n] = [2, 3, 2];
    await fc.assert(
      fc.asyncProperty(
        // [batch dims of a (null: a is 1-D), batch dims of b (null: b is 1-D)]
        fc.constantFrom<[number[] | null, number[] | null]>(
          [null, null],
          [null, []],
          [[], null],
          [null, [2]],
          [[2, 1], null],
          [[2, 1], [3]],
          [[1], [2]],
          [[2], []],
          [[], [2, 2]],
        ),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1e6 }),
        async ([ba, bb], tA, tB, seed) => {
          const transA = ba !== null && tA;
          const transB = bb !== null && tB;
          const sa = ba === null ? [k] : [...ba, ...(transA ? [k, m] : [m, k])];
          const sb = bb === null ? [k] : [...bb, ...(transB ? [n, k] : [k, n])];
          await check((a, b) => matmul(a, b, { transA, transB }), [data(sa, seed), data(sb, seed + 1)], device, {
            label: JSON.stringify({ sa, sb, transA, transB }),
          });
        },
      ),
      { numRuns: 10 },
    );
  });

  it('with bias and activation on a batch', async () => {
    const device = await getDevice();
    await check((a, b, bias) => matmul(a, b, { bias, activation: 'sigmoid' }), [data([2, 2, 3], 11), data([3, 4], 12), data([4], 13)], device);
    await check(
      (a, b, bias) => matmul(a, b, { bias, activation: 'relu', transB: true }),
      [data([3], 14), data([2, 4, 3], 15, { gap: 0.1 }), data([4], 16, { gap: 0.5 })],
      device,
      { secondOrder: false },
    );
  });
});
