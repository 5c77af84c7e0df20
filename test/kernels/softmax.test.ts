import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device } from '@saddle/tensor';
import { logSoftmax, softmax, softmaxCpu, transpose } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';
import { randomNumbers } from '../support/random-data.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  ['wasm', () => wasm()],
];
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** A shape of rank 1..4 and an axis of it (either sign). */
const caseArb = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
    seed: fc.integer(),
    scale: fc.constantFrom(1, 10, 100),
  }),
);

/** The double-precision reference of the twin, on the values the device holds. */
function reference(values: number[], shape: number[], axis: number, log: boolean): Float64Array {
  const a = axis < 0 ? axis + shape.length : axis;
  const out = new Float64Array(values.length);
  softmaxCpu(Float64Array.from(values), { outer: size(shape.slice(0, a)), len: shape[a]!, inner: size(shape.slice(a + 1)) }, log, out);
  return out;
}

describe.each(devices)('softmax and logSoftmax on %s', (_name, getDevice) => {
  it('match the double-precision reference along any axis (logits up to +-100)', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, axis, seed, scale }) => {
        const values = randomNumbers(size(shape), seed, -scale, scale);
        const x = fromArray(values, shape, { device });
        for (const log of [false, true]) {
          const y = (log ? logSoftmax : softmax)(x, axis);
          expect(y.shape).toEqual(shape);
          expectClose(await y.toArray(), reference(values, shape, axis, log), {
            rtol: 2e-5,
            atol: log ? 2e-5 * scale : 1e-6,
            label: `${log ? 'log' : ''}softmax ${JSON.stringify(shape)} axis ${axis}`,
          });
          y.dispose();
        }
        x.dispose();
      }),
      { numRuns: 25 },
    );
  });

  it('rows sum to 1, and a shift of every logit by 1e4 changes nothing (no overflow)', async () => {
    const device = await getDevice();
    const values = randomNumbers(24, 5, -3, 3);
    const x = fromArray(values, [4, 6], { device });
    const shifted = fromArray(
      values.map((v) => v + 1e4),
      [4, 6],
      { device },
    );
    const p = Array.from(await softmax(x).toArray());
    for (let r = 0; r < 4; r++) expect(Math.abs(p.slice(r * 6, r * 6 + 6).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    // 1e4 + v rounds v to f32's spacing at 1e4 (~1e-3): compare against the softmax of those values.
    const rounded = Array.from(new Float32Array(values.map((v) => v + 1e4)), (v) => v - 1e4);
    expectClose(await softmax(shifted).toArray(), reference(rounded, [4, 6], 1, false), { rtol: 1e-5, atol: 1e-7 });
    const lp = await logSoftmax(shifted).toArray();
    expect(lp.every((v) => Number.isFinite(v) && v <= 0)).toBe(true);
  });

  it('logSoftmax keeps tiny probabilities that log(softmax) would round to -inf', async () => {
    const device = await getDevice();
    const x = fromArray([0, -150, -300], [3], { device });
    expectClose(await logSoftmax(x).toArray(), [0, -150, -300], { rtol: 1e-6 });
    expect((await softmax(x).toArray())[2]).toBe(0);
  });

  it('reads a transposed view (the op makes it dense first)', async () => {
    const device = await getDevice();
    const values = randomNumbers(12, 9, -2, 2);
    const x = fromArray(values, [3, 4], { device });
    const viaView = await softmax(transpose(x), 0).toArray();
    const direct = Array.from(await softmax(x, 1).toArray());
    const transposed = Array.from({ length: 12 }, (_, i) => direct[(i % 3) * 4 + Math.floor(i / 3)]!);
    expectClose(viaView, transposed, { rtol: 1e-6 });
  });

  it('rejects a bad axis and an integer tensor with clear errors', async () => {
    const device = await getDevice();
    expect(() => softmax(fromArray([1, 2], [2], { device }), 1)).toThrow(/softmax: axis 1 is out of range for x of shape \[2\]/);
    expect(() => logSoftmax(fromArray([1, 2], [2], { device, dtype: 'i32' }))).toThrow(/logSoftmax: x has dtype i32/);
  });
});

describe('softmax and logSoftmax on wasm: 1 thread and 2 threads agree bit for bit', () => {
  it('rows along the last axis and along a middle axis (gathered lanes), lengths not a multiple of 4', async () => {
    // A row is computed by the same instructions whatever thread takes it; its partial sums are
    // fixed by the row's length, not by the split.
    for (const [shape, axis] of [
      [[101, 37], -1],
      [[7, 13, 11], 1],
      [[3, 2], 0],
    ] as const) {
      const values = randomNumbers(size(shape), 5, -30, 30);
      const results = [];
      for (const device of [await wasm(1), await wasm(2)]) {
        const x = fromArray(values, [...shape], { device });
        results.push([await softmax(x, axis).toArray(), await logSoftmax(x, axis).toArray()]);
      }
      expect(results[1]![0], `softmax ${shape}`).toEqual(results[0]![0]);
      expect(results[1]![1], `logSoftmax ${shape}`).toEqual(results[0]![1]);
    }
  });
});
