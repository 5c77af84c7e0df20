/**
 * cast among f32, i32 and u32: every device against its CPU twin and against the rule written out
 * here (to a float: nearest; float to integer: toward zero, saturating, NaN to 0; i32 <-> u32: the
 * same bits), on values that reach every edge: NaN, infinities, +-0, fractions, 2^31 and 2^32.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SaddleError, cpu, fromArray, type DType } from '@saddle/tensor';
import { add, cast } from '@saddle/ops';
import { NAMED_DEVICES } from '../support/devices.js';

type D = 'f32' | 'i32' | 'u32';
const DTYPES: D[] = ['f32', 'i32', 'u32'];

const f32Edge = fc.constantFrom(
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  0.5,
  -0.5,
  1.7,
  -1.7,
  2.5,
  -2.5,
  2147483520,
  2147483648,
  -2147483648,
  -2147483904,
  4294967040,
  4294967296,
  1e10,
  -1e10,
  3e38,
);
const valuesOf: Record<D, fc.Arbitrary<number>> = {
  f32: fc.oneof(f32Edge, fc.float({ min: -3e9, max: 5e9 })),
  i32: fc.oneof(fc.constantFrom(-2147483648, 2147483647, -1, 0, 16777217, -16777217), fc.integer({ min: -2147483648, max: 2147483647 })),
  u32: fc.oneof(fc.constantFrom(0, 4294967295, 2147483648, 16777217), fc.integer({ min: 0, max: 4294967295 })),
};

/** The rule, from its statement (not from the CPU twin's code). */
function rule(v: number, from: D, to: D): number {
  if (to === 'f32') return Math.fround(v);
  if (from === 'f32') {
    if (Number.isNaN(v)) return 0;
    const t = Math.trunc(v) + 0; // -0.5 truncates to -0, which an integer holds as 0
    return to === 'i32' ? Math.min(Math.max(t, -(2 ** 31)), 2 ** 31 - 1) : Math.min(Math.max(t, 0), 2 ** 32 - 1);
  }
  const bits = new Uint32Array(new (from === 'i32' ? Int32Array : Uint32Array)([v]).buffer)[0]!;
  return to === 'i32' ? bits | 0 : bits;
}

const str = (xs: ArrayLike<number>) => Array.from(xs, (v) => (Object.is(v, -0) ? '-0' : String(v)));

describe.each(NAMED_DEVICES)('cast on %s', (_name, getDevice) => {
  for (const from of DTYPES)
    for (const to of DTYPES) {
      it(`${from} -> ${to}: the rule and the CPU twin, dense and through a transposed view`, async () => {
        const device = await getDevice();
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 5 }),
            fc.integer({ min: 1, max: 7 }),
            fc.boolean(),
            fc.infiniteStream(valuesOf[from]),
            async (r, c, transposed, stream) => {
              const data = Array.from({ length: r * c }, () => stream.next().value as number);
              const x0 = fromArray(data, [r, c], { device, dtype: from });
              const x = transposed ? x0.view([c, r], [1, c], 0) : x0;
              const stored = Array.from(await x0.toArray());
              const order = transposed ? Array.from({ length: r * c }, (_, i) => stored[(i % r) * c + Math.floor(i / r)]!) : stored;
              const y = cast(x, to);
              expect(y.dtype).toBe(to);
              expect(y.shape).toEqual(x.shape);
              const got = await y.toArray();
              expect(str(got), `${from} -> ${to} on ${device.kind}`).toEqual(str(order.map((v) => rule(v, from, to))));
              const twin = await cast(fromArray(order, x.shape, { device: cpu, dtype: from }), to).toArray();
              expect(str(got)).toEqual(str(twin));
            },
          ),
          { numRuns: 15 },
        );
      });
    }

  it('makes mixed-dtype arithmetic possible, and refuses f64 off the CPU', async () => {
    const device = await getDevice();
    const i = fromArray([1, 2, 3], [3], { device, dtype: 'i32' });
    const f = fromArray([0.5, 0.5, 0.5], [3], { device });
    expect(() => add(f, i)).toThrow(/add: dtypes differ: f32 \[3\] and i32 \[3\]; expected the same dtype \(convert one with cast\(x, dtype\)\)/);
    expect(Array.from(await add(f, cast(i, 'f32')).toArray())).toEqual([1.5, 2.5, 3.5]);
    if (device.kind !== 'cpu') expect(() => cast(f, 'f64')).toThrow(SaddleError);
    expect(() => cast(f, 'bool' as DType)).toThrow(/cast: unknown dtype "bool"/);
  });
});
