import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { dropout, fromArray, max, maxout, maxoutDropout, mul, param, reshape, sum, transpose } from '@saddle/autograd';
import { check, data, devices } from './support.js';

describe.each(devices)('maxout and maxoutDropout gradients (rules/maxout.ts) on %s', (_name, getDevice) => {
  it('maxout, through the argmax it saved', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 1e6 }),
        async (rows, units, pieces, seed) => {
          await check((x) => maxout(x, pieces).out, [data([rows, units * pieces], seed)], device, {
            label: `maxout [${rows}, ${units}x${pieces}] seed ${seed}`,
          });
        },
      ),
      { numRuns: 6 },
    );
  });

  it('maxout of a transposed view', async () => {
    const device = await getDevice();
    await check((x) => maxout(transpose(x), 3).out, [data([6, 4], 3)], device);
  });

  it('maxoutDropout with a fixed seed: the gradient goes through the saved mask to the saved argmax', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0.5, 0.8, 0.3, 1),
        fc.integer({ min: 1, max: 1e6 }),
        async (rows, units, pieces, keep, seed) => {
          await check((x) => maxoutDropout(x, pieces, keep, { seed: 99 }).out, [data([rows, units * pieces], seed)], device, {
            label: `maxoutDropout [${rows}, ${units}x${pieces}] keep ${keep} seed ${seed}`,
          });
        },
      ),
      { numRuns: 6 },
    );
  });

  it('maxoutDropout of a transposed view, under a downstream weighting', async () => {
    const device = await getDevice();
    const w = data([4, 2], 8);
    await check((x, wt) => mul(maxoutDropout(transpose(x), 3, 0.5, { seed: 5 }).out, wt), [data([6, 4], 3), w], device);
  });

  it('maxoutDropout has exactly the gradient of dropout(maxout(x)) with the same seed', async () => {
    const device = await getDevice();
    const values = Array.from({ length: 6 * 12 }, (_, i) => Math.sin(i * 1.7) * 3);
    const weights = fromArray(
      Array.from({ length: 6 * 4 }, (_, i) => i - 11.5),
      [6, 4],
      { device },
    );
    const grads: number[][] = [];
    for (const fused of [true, false]) {
      const x = param(fromArray(values, [6, 12], { device }));
      const y = fused ? maxoutDropout(x, 3, 0.5, { seed: 21 }).out : dropout(maxout(x, 3).out, 0.5, { seed: 21 }).out;
      sum(mul(y, weights)).backward();
      grads.push(Array.from(await x.grad!.toArray()));
    }
    expect(grads[0]).toEqual(grads[1]);
    expect(grads[0]!.some((v) => v !== 0)).toBe(true);
    expect(grads[0]!.filter((v) => v !== 0).length).toBeLessThan(6 * 4);
  });

  it('at ties the pieces share the gradient evenly, as max does (and as central differences see it)', async () => {
    const device = await getDevice();
    // Two-way ties (central differences see 1/2 each; with c > 2 tied pieces the rule's 1/c is a
    // subgradient they do not see, so the gradient check uses pairs and the comparison below the rest).
    const x = fromArray([1, 3, 3, 2, 0, 5, 5, -1, -1, 7, 2, 2], [3, 4], { dtype: 'f64' });
    // At a tie the first derivative jumps, so there is no second derivative to check (as for max).
    await check((t) => maxout(t, 4).out, [x], device, { secondOrder: false });
    await check((t) => maxout(t, 2).out, [x], device, { secondOrder: false });
    // Unit rows: a two-way tie, a three-way tie, no tie with a tie below the max, all four equal.
    const weights = fromArray([1, -2, 3, 0.5], [4, 1], { device });
    const grads: number[][] = [];
    for (const viaMax of [false, true]) {
      const p = param(fromArray([1, 3, 3, 2, 5, 5, 5, 0, -1, 7, 2, 2, 4, 4, 4, 4], [4, 4], { device }));
      const y = viaMax ? reshape(max(p, 1), [4, 1]) : maxout(p, 4).out;
      sum(mul(y, weights)).backward();
      grads.push(Array.from(await p.grad!.toArray(), (v) => v + 0)); // -0 (max's g * 0) as 0
    }
    // maxout and max agree element for element: g/2 to each of two tied pieces, g/3 to each of three.
    expect(grads[0]).toEqual(grads[1]);
    expect(grads[0]!.slice(0, 8)).toEqual([0, 0.5, 0.5, 0, Math.fround(-2 / 3), Math.fround(-2 / 3), Math.fround(-2 / 3), 0]);
  });

  it('maxoutDropout shares the gradient at ties too, times the mask', async () => {
    const device = await getDevice();
    const x = fromArray([2, 2, 1, 0, 4, 4, 4, 4, 1, 2, 3, 3], [2, 6], { dtype: 'f64' }); // a two-way tie in every unit
    for (const keep of [1, 0.5]) await check((t) => maxoutDropout(t, 3, keep, { seed: 3 }).out, [x], device, { label: `keep ${keep}`, secondOrder: false });
  });
});
