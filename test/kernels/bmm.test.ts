import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { broadcastShapes, cpu, fromArray, type Device } from '@saddle/tensor';
import { bmm, matmul, transpose } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';
import { randomNumbers } from '../support/random-data.js';
import { broadcastIndex, broadcastingShape } from '../support/broadcast.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  ['wasm', () => wasm()],
];
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** Batch shapes that broadcast (each dim kept or set to 1, leading dims maybe dropped), M, K, N and the flags. */
const caseArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }).chain((batch) => {
  const derived = broadcastingShape(batch);
  return fc.record({
    ba: derived,
    bb: derived,
    m: fc.integer({ min: 1, max: 37 }),
    k: fc.integer({ min: 1, max: 37 }),
    n: fc.integer({ min: 1, max: 37 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    seed: fc.integer(),
  });
});

/** Reference: for each broadcast batch, a 2-D product in doubles. */
function reference(
  a: number[],
  sa: number[],
  b: number[],
  sb: number[],
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): { shape: number[]; data: number[] } {
  const batch = broadcastShapes('test', sa.slice(0, -2), sb.slice(0, -2));
  const data: number[] = [];
  const pick = (s: number[], flat: number) => broadcastIndex(flat, batch, s.slice(0, -2));
  for (let t = 0; t < size(batch); t++) {
    const ao = pick(sa, t) * m * k;
    const bo = pick(sb, t) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) acc += a[ao + (transA ? q * m + i : i * k + q)]! * b[bo + (transB ? j * k + q : q * n + j)]!;
        data.push(acc);
      }
  }
  return { shape: [...batch, m, n], data };
}

describe.each(devices)('bmm on %s', (_name, getDevice) => {
  it('matches the per-batch reference with broadcast batch dims and every transA/transB', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ ba, bb, m, k, n, transA, transB, seed }) => {
        const sa = [...ba, ...(transA ? [k, m] : [m, k])];
        const sb = [...bb, ...(transB ? [n, k] : [k, n])];
        const a = randomNumbers(size(sa), seed, -1, 1);
        const b = randomNumbers(size(sb), seed + 1, -1, 1);
        const y = bmm(fromArray(a, sa, { device }), fromArray(b, sb, { device }), { transA, transB });
        const want = reference(a, sa, b, sb, m, k, n, transA, transB);
        expect(y.shape).toEqual(want.shape);
        expectClose(await y.toArray(), want.data, { rtol: 1e-5, atol: 1e-5 * k, label: JSON.stringify({ sa, sb, transA, transB }) });
      }),
      { numRuns: 30 },
    );
  });

  it('equals the 2-D matmul on rank-2 operands, and a transposed view equals the transB flag', async () => {
    const device = await getDevice();
    const a = fromArray(randomNumbers(20 * 33, 1, -1, 1), [20, 33], { device });
    const b = fromArray(randomNumbers(33 * 17, 2, -1, 1), [33, 17], { device });
    expectClose(await bmm(a, b).toArray(), await matmul(a, b).toArray(), { rtol: 1e-5, atol: 1e-5 });
    const bt = fromArray(randomNumbers(17 * 33, 3, -1, 1), [17, 33], { device });
    expectClose(await bmm(a, transpose(bt)).toArray(), await bmm(a, bt, { transB: true }).toArray(), { rtol: 0, atol: 0 });
  });

  it('rejects mismatched inner dims, rank < 2 and unbroadcastable batches with clear errors', async () => {
    const device = await getDevice();
    const x = (s: number[]) => fromArray(new Array(size(s)).fill(1), s, { device });
    expect(() => bmm(x([2, 3, 4]), x([2, 5, 6]))).toThrow(/bmm: a is \[2, 3, 4\] and b is \[2, 5, 6\]: inner dims 4 and 5 differ/);
    expect(() => bmm(x([4]), x([4, 2]))).toThrow(/expected rank 2 or more/);
    expect(() => bmm(x([2, 3, 4]), x([3, 4, 5]))).toThrow(/bmm/);
  });
});

describe('bmm on wasm: 1 thread and 2 threads agree bit for bit', () => {
  it('a broadcast batch, transposed operands, N not a multiple of 4', async () => {
    // Every element is the same k-ordered sum whatever thread owns its row.
    const a = randomNumbers(3 * 17 * 23, 21, -1, 1);
    const b = randomNumbers(23 * 13, 22, -1, 1);
    const results = [];
    for (const device of [await wasm(1), await wasm(2)]) {
      const ta = fromArray(a, [3, 17, 23], { device });
      const tb = fromArray(b, [23, 13], { device });
      const tbT = fromArray(b, [13, 23], { device });
      results.push([
        await bmm(ta, tb).toArray(),
        await bmm(ta, tbT, { transB: true }).toArray(),
        await bmm(transpose(ta, [0, 2, 1]), tb, { transA: true }).toArray(),
      ]);
    }
    for (let k = 0; k < 3; k++) expect(results[1]![k]).toEqual(results[0]![k]);
  });
});
