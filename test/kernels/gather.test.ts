import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device } from '@saddle/tensor';
import { gather, scatterAdd, transpose } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { randomNumbers } from '../support/random-data.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  ['wasm', () => wasm()],
];
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** A shape of rank 1..3, an axis, and indices into it (repeats allowed, possibly none). */
const caseArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
  fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) =>
    fc.record({
      shape: fc.constant(shape),
      axis: fc.constant(axis),
      indices: fc.array(fc.integer({ min: 0, max: shape[axis]! - 1 }), { minLength: 0, maxLength: 7 }),
      seed: fc.integer(),
    }),
  ),
);

/** Nested-array reference: index along `axis` of a row-major array. */
function gatherRef(x: number[], shape: number[], axis: number, idx: number[]): number[] {
  const outer = size(shape.slice(0, axis));
  const len = shape[axis]!;
  const inner = size(shape.slice(axis + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (const r of idx) for (let i = 0; i < inner; i++) out.push(x[(o * len + r) * inner + i]!);
  return out;
}

describe.each(devices)('gather and scatterAdd on %s', (_name, getDevice) => {
  it('gather picks rows by index along any axis, for f32 and i32 tensors', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, axis, indices, seed }) => {
        const values = randomNumbers(size(shape), seed, -100, 100).map((v) => Math.round(v) + 0); // + 0: no -0 (i32 has none)
        const idx = fromArray(indices, [indices.length], { device, dtype: 'i32' });
        for (const dtype of ['f32', 'i32'] as const) {
          const y = gather(fromArray(values, shape, { device, dtype }), idx, axis);
          expect(y.shape).toEqual(shape.map((d, i) => (i === axis ? indices.length : d)));
          expect(Array.from(await y.toArray())).toEqual(gatherRef(values, shape, axis, indices));
        }
      }),
      { numRuns: 25 },
    );
  });

  it('scatterAdd is gather transposed: <gather(x), s> = <x, scatterAdd(s)> for every x and s', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, axis, indices, seed }) => {
        const x = randomNumbers(size(shape), seed, -2, 2).map((v) => Math.round(v * 8) / 8);
        const outShape = shape.map((d, i) => (i === axis ? indices.length : d));
        const s = randomNumbers(size(outShape), seed + 1, -2, 2).map((v) => Math.round(v * 8) / 8);
        const idx = fromArray(indices, [indices.length], { device, dtype: 'i32' });
        const gx = Array.from(await gather(fromArray(x, shape, { device }), idx, axis).toArray());
        const ss = scatterAdd(fromArray(s, outShape, { device }), idx, axis, shape[axis]!);
        expect(ss.shape).toEqual(shape);
        const sx = Array.from(await ss.toArray());
        // Eighths: every product and sum is exact in f32, so the two sides agree exactly.
        expect(gx.reduce((acc, v, i) => acc + v * s[i]!, 0)).toBe(sx.reduce((acc, v, i) => acc + v * x[i]!, 0));
      }),
      { numRuns: 25 },
    );
  });

  it('a repeated index sums in scatterAdd; a permutation shuffles rows of a view', async () => {
    const device = await getDevice();
    const idx = fromArray([2, 0, 2], [3], { device, dtype: 'i32' });
    const src = fromArray([1, 2, 3, 4, 5, 6], [3, 2], { device });
    expect(Array.from(await scatterAdd(src, idx, 0, 4).toArray())).toEqual([3, 4, 0, 0, 6, 8, 0, 0]);
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device });
    const perm = fromArray([2, 0, 1], [3], { device, dtype: 'i32' });
    expect(Array.from(await gather(transpose(x), perm, 0).toArray())).toEqual([3, 6, 1, 4, 2, 5]);
  });

  it('out-of-range indices: a clear error on every device (WebGPU: at the next read or sync, naming the op)', async () => {
    const device = await getDevice();
    const x = fromArray([1, 2, 3, 4], [2, 2], { device });
    const bad = fromArray([0, 5], [2], { device, dtype: 'i32' });
    expect(() => gather(x, fromArray([0], [1], { device }))).toThrow(/gather: indices are \[1\] f32; expected a 1-D i32 tensor/);
    if (device.kind !== 'webgpu') {
      expect(() => gather(x, bad)).toThrow(/gather: index 5 \(position 1\) is out of range; expected an integer in \[0, 2\)/);
      expect(() => scatterAdd(x, bad, 0, 2)).toThrow(/scatterAdd: index 5 \(position 1\) is out of range/);
    } else {
      const y = gather(x, bad);
      await expect(y.toArray()).rejects.toThrow(
        /^gather: index 5 is out of range; expected an integer in \[0, 2\) \(reported at the first read or sync after the gather/,
      );
      // Reported once; the rows it could not read are NaN, the others right.
      const rows = Array.from(await y.toArray());
      expect(rows.slice(0, 2)).toEqual([1, 2]);
      expect(rows.slice(2).every(Number.isNaN)).toBe(true);
      scatterAdd(x, fromArray([-1, 1], [2], { device, dtype: 'i32' }), 0, 2);
      await expect((device as unknown as { sync(): Promise<void> }).sync()).rejects.toThrow(
        /^scatterAdd: index -1 is out of range; expected an integer in \[0, 2\)/,
      );
      // A good gather after a bad one reads without error.
      expect(Array.from(await gather(x, fromArray([1], [1], { device, dtype: 'i32' })).toArray())).toEqual([3, 4]);
    }
  });
});

describe('gather and scatterAdd on wasm: 1 thread and 2 threads agree bit for bit', () => {
  it('rows of 7 (a tail after the f32x4 adds), repeated indices summed in index order', async () => {
    const x = randomNumbers(5 * 40 * 7, 9, -10, 10);
    const idx = Array.from({ length: 61 }, (_, j) => (j * 17) % 40);
    const results = [];
    for (const device of [await wasm(1), await wasm(2)]) {
      const t = fromArray(x, [5, 40, 7], { device });
      const i = fromArray(idx, [61], { device, dtype: 'i32' });
      const g = gather(t, i, 1);
      results.push([await g.toArray(), await scatterAdd(g, i, 1, 40).toArray()]);
    }
    expect(results[1]![0]).toEqual(results[0]![0]);
    expect(results[1]![1]).toEqual(results[0]![1]);
  });
});
