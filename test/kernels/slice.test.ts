/**
 * slice with negative begins (from the end) and steps, as PyTorch's x[b:e:s]: a strided view, read
 * by every device's kernels (materialized with `contiguous`, and fed to an elementwise op), against
 * the elements picked out here in plain JS.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SaddleError, fromArray } from '@saddle/tensor';
import { contiguous, neg, slice } from '@saddle/ops';
import { NAMED_DEVICES } from '../support/devices.js';

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** Per axis: dim, begin (maybe negative), size (maybe -1), step. */
const axisArb = fc.integer({ min: 1, max: 6 }).chain((d) =>
  fc.integer({ min: -d, max: d }).chain((b) => {
    const start = b < 0 ? b + d : b;
    return fc.tuple(fc.constant(d), fc.constant(b), fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: d - start })), fc.integer({ min: 1, max: 4 }));
  }),
);

/** The elements PyTorch's x[b:b+size:step] takes, per axis. */
function picked([d, b, s, step]: [number, number, number, number]): number[] {
  const start = b < 0 ? b + d : b;
  const end = s === -1 ? d : start + s;
  const out: number[] = [];
  for (let i = start; i < end; i += step) out.push(i);
  return out;
}

describe.each(NAMED_DEVICES)('slice with negative begins and steps on %s', (_name, getDevice) => {
  it('picks the elements PyTorch picks, through every kernel that reads the view', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(fc.array(axisArb, { minLength: 1, maxLength: 3 }), fc.boolean(), async (axes, transposed) => {
        const shape = axes.map((a) => a[0]);
        const data = Array.from({ length: size(shape) }, (_, i) => i + 1);
        let x = fromArray(data, shape, { device });
        // Also from a transposed view (its strides are not row-major), reversing the axes.
        if (transposed) x = x.view([...shape].reverse(), [...x.strides].reverse(), 0);
        const ax = transposed ? [...axes].reverse() : axes;
        const y = slice(
          x,
          ax.map((a) => a[1]),
          ax.map((a) => a[2]),
          ax.map((a) => a[3]),
        );
        const idx = ax.map(picked);
        expect(y.shape).toEqual(idx.map((p) => p.length));
        // The expected values: x's element at each picked multi-index.
        const want: number[] = [];
        const walk = (d: number, off: number) => {
          if (d === idx.length) return void want.push(data[off]!);
          for (const i of idx[d]!) walk(d + 1, off + i * x.strides[d]!);
        };
        walk(0, 0);
        expect(Array.from(await contiguous(y).toArray())).toEqual(want);
        expect(Array.from(await neg(y).toArray())).toEqual(want.map((v) => -v));
      }),
      { numRuns: 25 },
    );
  });

  it('x[-3:] and x[::2] of a vector; refuses a step below 1 and a begin past the end', async () => {
    const device = await getDevice();
    const x = fromArray([0, 1, 2, 3, 4, 5, 6], [7], { device });
    expect(Array.from(await contiguous(slice(x, [-3], [-1])).toArray())).toEqual([4, 5, 6]);
    expect(Array.from(await contiguous(slice(x, [0], [-1], [2])).toArray())).toEqual([0, 2, 4, 6]);
    expect(Array.from(await contiguous(slice(x, [-6], [5], [3])).toArray())).toEqual([1, 4]);
    expect(() => slice(x, [0], [-1], [0])).toThrow(SaddleError);
    expect(() => slice(x, [0], [-1], [-1])).toThrow(/slice: steps\[0\] = -1 for \[7\]; expected a positive integer/);
    expect(() => slice(x, [-8], [1])).toThrow(/slice: begin\[0\] = -8 is out of range for \[7\]; expected -7 <= begin\[0\] <= 7/);
  });
});
