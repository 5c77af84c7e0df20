import { describe, it, expect } from 'vitest';
import { dropout, fromArray, mul, param, sum } from '@saddle/autograd';
import { check, data, devices } from './support.js';

describe.each(devices)('dropout gradients (rules/dropout.ts) on %s', (_name, getDevice) => {
  it('dropout with a fixed seed: the gradient is the saved mask (the same mask on every call)', async () => {
    const device = await getDevice();
    for (const keep of [0.5, 0.8, 1]) {
      await check((x) => dropout(x, keep, { seed: 1234 }).out, [data([5, 7], 4)], device, { label: `keep ${keep}` });
    }
  });

  it('dropout passes the gradient exactly where the mask kept the element, scaled by 1/keep', async () => {
    const device = await getDevice();
    const x = param(
      fromArray(
        Array.from({ length: 64 }, (_, i) => i / 10),
        [8, 8],
        { device },
      ),
    );
    const { out, mask } = dropout(x, 0.5, { seed: 7 });
    sum(mul(out, 3)).backward();
    const m = await mask.toArray();
    const g = await x.grad!.toArray();
    expect(Array.from(g)).toEqual(Array.from(m, (v) => 3 * v));
    expect(m.some((v) => v === 0)).toBe(true);
    expect(m.some((v) => v === 2)).toBe(true);
  });
});
