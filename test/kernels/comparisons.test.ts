/**
 * The comparisons (equal, notEqual, greater, greaterEqual, less, lessEqual) and the logical ops
 * (logicalAnd, logicalOr, logicalNot): masks of 1 and 0 in the operands' dtype, the same on every
 * device, on operands drawn so that ties, zeros (both signs), infinities and NaN all occur.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray } from '@saddle/tensor';
import * as k from '@saddle/ops';
import { NAMED_DEVICES } from '../support/devices.js';

/** IEEE 754 and PyTorch: NaN compares false except in notEqual; any nonzero (NaN too) is true. */
const REFERENCE = {
  equal: (a: number, b: number) => a === b,
  notEqual: (a: number, b: number) => a !== b,
  greater: (a: number, b: number) => a > b,
  greaterEqual: (a: number, b: number) => a >= b,
  less: (a: number, b: number) => a < b,
  lessEqual: (a: number, b: number) => a <= b,
  logicalAnd: (a: number, b: number) => a !== 0 && b !== 0,
  logicalOr: (a: number, b: number) => a !== 0 || b !== 0,
} as const;
type Name = keyof typeof REFERENCE;
const NAMES = Object.keys(REFERENCE) as Name[];

const special = fc.constantFrom(0, -0, 1, -1, 0.5, 2.5, NaN, Infinity, -Infinity);
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

describe.each(NAMED_DEVICES)('comparisons and logical ops on %s', (_name, getDevice) => {
  for (const name of NAMES) {
    it(`${name}: the CPU twin's mask, the IEEE answer, with a broadcast row and a number`, async () => {
      const device = await getDevice();
      await fc.assert(
        fc.asyncProperty(
          shapeArb.chain((s) =>
            fc.tuple(
              fc.constant(s),
              fc.array(special, { minLength: size(s), maxLength: size(s) }),
              fc.array(special, { minLength: s.at(-1)!, maxLength: s.at(-1)! }),
              special,
            ),
          ),
          async ([shape, da, db, scalar]) => {
            const row = [shape.at(-1)!];
            const a = fromArray(da, shape, { device });
            const b = fromArray(db, row, { device });
            const got = Array.from(await k[name](a, b).toArray());
            const twin = Array.from(await k[name](fromArray(da, shape, { device: cpu }), fromArray(db, row, { device: cpu })).toArray());
            const want = da.map((v, i) => (REFERENCE[name](v, db[i % row[0]!]!) ? 1 : 0));
            expect(got, `${name} on ${device.kind}`).toEqual(twin);
            expect(got, `${name} on ${device.kind}`).toEqual(want);
            const withNumber = Array.from(await k[name](a, scalar).toArray());
            expect(withNumber, `${name}(x, ${scalar})`).toEqual(da.map((v) => (REFERENCE[name](v, scalar) ? 1 : 0)));
          },
        ),
        { numRuns: 12 },
      );
    });
  }

  for (const dtype of ['i32', 'u32'] as const) {
    it(`every comparison and logical op on ${dtype}: a ${dtype} mask, the CPU twin's and the exact answer`, async () => {
      const device = await getDevice();
      const ints = dtype === 'i32' ? fc.constantFrom(0, 1, -1, 2, -2147483648, 2147483647) : fc.constantFrom(0, 1, 2, 2147483648, 4294967295);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 9 }).chain((n) => fc.tuple(fc.array(ints, { minLength: n, maxLength: n }), fc.array(ints, { minLength: n, maxLength: n }))),
          async ([da, db]) => {
            const n = da.length;
            for (const name of NAMES) {
              const y = k[name](fromArray(da, [n], { device, dtype }), fromArray(db, [n], { device, dtype }));
              expect(y.dtype).toBe(dtype);
              const got = Array.from(await y.toArray());
              expect(got, `${name} on ${dtype}`).toEqual(da.map((v, i) => (REFERENCE[name](v, db[i]!) ? 1 : 0)));
              expect(got).toEqual(Array.from(await k[name](fromArray(da, [n], { device: cpu, dtype }), fromArray(db, [n], { device: cpu, dtype })).toArray()));
            }
            expect(Array.from(await k.logicalNot(fromArray(da, [n], { device, dtype })).toArray())).toEqual(da.map((v) => (v === 0 ? 1 : 0)));
          },
        ),
        { numRuns: 10 },
      );
    });
  }

  it('accuracy the PyTorch way: equal(argmax(logits, 1), labels) on i32', async () => {
    const device = await getDevice();
    const logits = fromArray([0.1, 2, -1, 3, 0, 1, -2, -3, -1], [3, 3], { device });
    const labels = fromArray([1, 2, 2], [3], { device, dtype: 'i32' });
    expect(Array.from(await k.equal(k.argmax(logits, 1), labels).toArray())).toEqual([1, 0, 1]);
  });

  it('logicalNot: 1 where x is +-0, 0 elsewhere (NaN and infinities are true)', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(fc.array(special, { minLength: 1, maxLength: 40 }), async (data) => {
        const x = fromArray(data, [data.length], { device });
        const got = Array.from(await k.logicalNot(x).toArray());
        expect(got).toEqual(Array.from(await k.logicalNot(fromArray(data, [data.length], { device: cpu })).toArray()));
        expect(got).toEqual(data.map((v) => (v === 0 ? 1 : 0)));
      }),
      { numRuns: 12 },
    );
  });

  it('masks select with where, and combine: where(x > 0 && x <= 2, x, -1)', async () => {
    const device = await getDevice();
    const x = fromArray([-1, 0, 0.5, 2, 3, NaN], [6], { device });
    const mask = k.logicalAnd(k.greater(x, 0), k.lessEqual(x, 2));
    expect(Array.from(await mask.toArray())).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(await k.where(mask, x, -1).toArray())).toEqual([-1, -1, 0.5, 2, -1, -1]);
    expect(Array.from(await k.where(k.logicalNot(mask), x, -1).toArray()).map(String)).toEqual(['-1', '0', '-1', '-1', '3', 'NaN']);
  });
});
