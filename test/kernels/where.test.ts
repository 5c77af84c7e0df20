import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { broadcastShapes, cpu, fromArray, type Device } from '@saddle/tensor';
import { greater, transpose, where } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { randomNumbers } from '../support/random-data.js';
import { broadcastIndex, broadcastingShape } from '../support/broadcast.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  ['wasm', () => wasm()],
];
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** Three shapes that broadcast together: each keeps or ones out dims of a base, and may drop leading dims. */
const tripleArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 }).chain((base) => {
  const derived = broadcastingShape(base);
  return fc.tuple(derived, derived, derived);
});

describe.each(devices)('where on %s', (_name, getDevice) => {
  it('picks a where cond is nonzero and b elsewhere, broadcasting all three (f32 and i32 conditions)', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(tripleArb, fc.integer(), fc.constantFrom<'f32' | 'i32'>('f32', 'i32'), async ([sc, sa, sb], seed, condType) => {
        const c = randomNumbers(size(sc), seed, -1, 2).map((v) => (v > 0.5 ? Math.floor(v * 3) : 0));
        const a = randomNumbers(size(sa), seed + 1, -10, 10);
        const b = randomNumbers(size(sb), seed + 2, -10, 10);
        const shape = broadcastShapes('test', broadcastShapes('test', sc, sa), sb);
        const y = where(fromArray(c, sc, { device, dtype: condType }), fromArray(a, sa, { device }), fromArray(b, sb, { device }));
        expect(y.shape).toEqual(shape);
        const want = Array.from({ length: size(shape) }, (_, i) =>
          c[broadcastIndex(i, shape, sc)] !== 0 ? a[broadcastIndex(i, shape, sa)] : b[broadcastIndex(i, shape, sb)],
        );
        expect(Array.from(await y.toArray())).toEqual(want);
      }),
      { numRuns: 25 },
    );
  });

  it('takes a number on either side, reads views, and never leaks the unchosen inf or NaN', async () => {
    const device = await getDevice();
    const x = fromArray([1, -2, 3, -4, 5, -6], [2, 3], { device });
    const cond = greater(x, 0);
    expect(Array.from(await where(cond, x, 0).toArray())).toEqual([1, 0, 3, 0, 5, 0]);
    expect(Array.from(await where(cond, -1, x).toArray())).toEqual([-1, -2, -1, -4, -1, -6]);
    const xt = transpose(x);
    expect(Array.from(await where(transpose(cond), xt, 7).toArray())).toEqual([1, 7, 7, 5, 3, 7]);
    const poison = fromArray([Infinity, NaN, -Infinity], [3], { device });
    expect(Array.from(await where(fromArray([0, 0, 0], [3], { device }), poison, 2).toArray())).toEqual([2, 2, 2]);
  });

  it('rejects mismatched dtypes, shapes and two numbers with clear errors', async () => {
    const device = await getDevice();
    const c = fromArray([1, 0], [2], { device });
    expect(() => where(c, fromArray([1, 2], [2], { device }), fromArray([1, 2], [2], { device, dtype: 'i32' }))).toThrow(/where: dtypes differ/);
    expect(() => where(c, fromArray([1, 2, 3], [3], { device }), 0)).toThrow(/where/);
    expect(() => where(c, 1, 2)).toThrow(/where: a and b are both numbers/);
  });
});

describe('where on wasm: 1 thread and 2 threads agree bit for bit', () => {
  it('dense, broadcast (a row and a column) and a transposed condition; 101 x 99 elements', async () => {
    const c = randomNumbers(101 * 99, 3, -1, 1).map((v) => (v > 0 ? 1 : 0));
    const a = randomNumbers(101 * 99, 4, -10, 10);
    const row = randomNumbers(99, 5, -10, 10);
    const col = randomNumbers(101, 6, -10, 10);
    const results = [];
    for (const device of [await wasm(1), await wasm(2)]) {
      const tc = fromArray(c, [101, 99], { device });
      const ta = fromArray(a, [101, 99], { device });
      const ct = fromArray(c, [99, 101], { device });
      results.push([
        await where(tc, ta, fromArray(row, [99], { device })).toArray(),
        await where(tc, fromArray(col, [101, 1], { device }), -1).toArray(),
        await where(transpose(ct), ta, 0).toArray(),
      ]);
    }
    for (let k = 0; k < 3; k++) expect(results[1]![k]).toEqual(results[0]![k]);
  });
});
