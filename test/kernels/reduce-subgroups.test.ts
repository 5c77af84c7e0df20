/**
 * The reductions' subgroup path (reduce.wgsl.ts, `subgroups`): the workgroup-memory tree stops at
 * the subgroup size and one subgroup finishes each row. lavapipe has the `subgroups` feature with
 * one subgroup size (8), so the default test device runs this path (test/kernels/reduce.test.ts
 * covers it broadly); here a second device with `subgroups: false` runs the fallback on the same
 * cases, and both are compared with the CPU twin, at the row lengths where the path switches.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cpu, createWebGpuDevice, fromArray, type Device, type WebGpuDevice } from '@saddle/tensor';
import { argmax, max, mean, sum } from '@saddle/ops';
import { webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';
import { randomData } from '../support/random-data.js';

let plain: Promise<WebGpuDevice> | null = null;
const withoutSubgroups = () => (plain ??= createWebGpuDevice({ subgroups: false }));
afterAll(async () => {
  if (plain) (await plain).destroy();
});

async function compare(devices: Device[], rows: number, cols: number, axis: 0 | 1, seed: number, ties = false): Promise<void> {
  let data = randomData(rows * cols, seed, -50, 50);
  if (ties) data = data.map((v) => Math.round(v / 25)); // few distinct values: many tied maxima
  const ref = fromArray(data, [rows, cols], { device: cpu, dtype: 'f64' });
  const n = axis === 1 ? cols : rows;
  for (const d of devices) {
    const x = fromArray(data, [rows, cols], { device: d });
    const label = `${rows}x${cols} axis ${axis} on ${d.name}`;
    const atol = 4 * n * 2 ** -24 * 50 * Math.log2(n + 1) + 1e-6;
    expectClose(await sum(x, axis).toArray(), await sum(ref, axis).toArray(), { atol, rtol: 0, label: `sum ${label}` });
    expectClose(await mean(x, axis).toArray(), await mean(ref, axis).toArray(), { atol: atol / n + 1e-6, rtol: 1e-6, label: `mean ${label}` });
    expect(Array.from(await max(x, axis).toArray()), `max ${label}`).toEqual(Array.from(await max(ref, axis).toArray()));
    expect(Array.from(await argmax(x, axis).toArray()), `argmax ${label}`).toEqual(Array.from(await argmax(ref, axis).toArray()));
    x.dispose();
  }
}

describe('subgroup reductions', () => {
  it('run on this adapter (lavapipe: subgroups, size 8); subgroups: false turns them off', async () => {
    const gpu = await webgpu();
    expect(gpu.features.has('subgroups')).toBe(true);
    expect(gpu.subgroupSize).toBe(8);
    expect((await withoutSubgroups()).subgroupSize).toBeNull();
  });

  it('both paths match the CPU twin at the row lengths where the path switches (lanes = 1 … 256)', async () => {
    const devices = [await webgpu(), await withoutSubgroups()];
    // Row length n gets about n / 8 lanes: 8 → 1 lane, 64 → 8 (one subgroup), 65 → 16, 2048 → 256.
    for (const [i, cols] of [1, 7, 8, 63, 64, 65, 127, 129, 1000, 2048, 5000].entries()) await compare(devices, 5, cols, 1, 10 + i);
    // A long reduction (two passes) and the leading axis of a batch (lanes not adjacent: the tree path).
    await compare(devices, 2, 20_000, 1, 40);
    await compare(devices, 300, 33, 0, 41);
  });

  it('argmax keeps the first of tied maxima and NaN wins, on both paths', async () => {
    const devices = [await webgpu(), await withoutSubgroups()];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 60, max: 700 }), fc.integer({ min: 1, max: 1e6 }), async (rows, cols, seed) =>
        compare(devices, rows, cols, 1, seed, true),
      ),
      { numRuns: 6 },
    );
    for (const d of devices) {
      const v = new Float32Array(300).fill(1);
      v[77] = NaN;
      v[200] = NaN;
      const x = fromArray(v, [1, 300], { device: d });
      expect(await argmax(x, 1).item()).toBe(77);
      expect(await max(x, 1).item()).toBeNaN();
    }
  });
});
