/**
 * maxWithIndices (PyTorch's x.max(dim)): the maximum along an axis and the index of the element it
 * is, the same on every device, with ties and NaN: `values` is always the element `indices` names.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray } from '@saddle/tensor';
import { maxWithIndices } from '@saddle/ops';
import { gradcheck, maxWithIndices as maxWithIndicesAg, param, sum } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const value = fc.constantFrom(-1, 0, 1, 2, 2, 3.5, -Infinity, NaN);

describe.each(NAMED_DEVICES)('maxWithIndices on %s', (_name, getDevice) => {
  it("the CPU twin's values and indices; each value is the element its index names (ties: the first; NaN: the first NaN)", async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 })
          .chain((shape) =>
            fc.tuple(
              fc.constant(shape),
              fc.array(value, { minLength: size(shape), maxLength: size(shape) }),
              fc.integer({ min: -shape.length, max: shape.length - 1 }),
              fc.boolean(),
            ),
          ),
        async ([shape, data, axis, keepDims]) => {
          const r = maxWithIndices(fromArray(data, shape, { device }), axis, keepDims);
          const twin = maxWithIndices(fromArray(data, shape, { device: cpu }), axis, keepDims);
          const [values, indices] = [Array.from(await r.values.toArray()), Array.from(await r.indices.toArray())];
          expect(r.indices.dtype).toBe('i32');
          expect(values.map(String)).toEqual(Array.from(await twin.values.toArray()).map(String));
          expect(indices).toEqual(Array.from(await twin.indices.toArray()));
          // The reference: walk each lane of the axis.
          const a = axis < 0 ? axis + shape.length : axis;
          const inner = size(shape.slice(a + 1));
          const outer = size(shape.slice(0, a));
          const d = shape[a]!;
          for (let o = 0; o < outer; o++)
            for (let i = 0; i < inner; i++) {
              const lane = Array.from({ length: d }, (_, j) => data[(o * d + j) * inner + i]!);
              const nan = lane.findIndex(Number.isNaN);
              const best = nan >= 0 ? nan : lane.indexOf(Math.max(...lane));
              expect(indices[o * inner + i]).toBe(best);
              expect(String(values[o * inner + i])).toBe(String(lane[best]));
            }
        },
      ),
      { numRuns: 20 },
    );
  });

  it("values carry max's gradient; indices carry none", async () => {
    const device = await getDevice();
    const x = param(fromArray([0.5, -1, 2, 0.25, 3, -2], [2, 3], { device }));
    const r = maxWithIndicesAg(x, 1);
    expect(r.values.requiresGrad).toBe(true);
    expect(r.indices.requiresGrad).toBe(false);
    sum(r.values).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([0, 0, 1, 0, 1, 0]);
    const { values } = x.maxWithIndices(0, true);
    expect(values.shape).toEqual([1, 3]);
    if (device.kind === 'cpu') {
      const report = await gradcheck((t) => maxWithIndicesAg(t, -1).values, [fromArray([0.5, -1, 2, 0.25, 3, -2], [2, 3], { dtype: 'f64' })], { device });
      expect(report.ok, report.summary).toBe(true);
    }
  });
});
