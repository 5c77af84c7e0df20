/**
 * matmul of operands other than two matrices, as torch.matmul: 1-D operands promoted and their
 * added dim dropped, batch dims broadcast, transA/transB, bias and activation. Every device
 * against a float64 reference written here from torch.matmul's definition (not from our kernels),
 * and against the CPU twin.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SaddleError, cpu, fromArray, memory, tidy } from '@saddle/tensor';
import { matmul } from '@saddle/ops';
import { NAMED_DEVICES } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const stridesOf = (s: readonly number[]) => s.map((_, i) => size(s.slice(i + 1)));

/** torch.matmul's definition, in doubles: shape and values of act(op(a)·op(b) + bias). */
function reference(
  a: number[],
  sa: number[],
  b: number[],
  sb: number[],
  transA: boolean,
  transB: boolean,
  bias: number[] | null,
  act: 'none' | 'relu' | 'sigmoid',
) {
  // Promote vectors, read each operand as [batch..., rows, cols] through its (maybe transposed) strides.
  const pa = sa.length === 1 ? [1, sa[0]!] : sa;
  const pb = sb.length === 1 ? [sb[0]!, 1] : sb;
  const [ra, rb] = [pa.length, pb.length];
  const [m, k] = transA ? [pa[ra - 1]!, pa[ra - 2]!] : [pa[ra - 2]!, pa[ra - 1]!];
  const n = transB ? pb[rb - 2]! : pb[rb - 1]!;
  const ba = pa.slice(0, -2);
  const bb = pb.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const batch = Array.from({ length: rank }, (_, i) => Math.max(ba[i - rank + ba.length] ?? 1, bb[i - rank + bb.length] ?? 1));
  const [stA, stB] = [stridesOf(pa), stridesOf(pb)];
  const out: number[] = [];
  for (let bi = 0; bi < size(batch); bi++) {
    const idx = batch.map((_, d) => Math.floor(bi / size(batch.slice(d + 1))) % batch[d]!);
    const base = (shape: number[], st: number[]) =>
      shape.slice(0, -2).reduce((o, dim, d) => o + (dim === 1 ? 0 : idx[d + rank - (shape.length - 2)]!) * st[d]!, 0);
    const oa = base(pa, stA);
    const ob = base(pb, stB);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = bias ? bias[j]! : 0;
        for (let t = 0; t < k; t++) {
          const av = a[oa + (transA ? t * stA[ra - 2]! + i : i * stA[ra - 2]! + t)]!;
          const bv = b[ob + (transB ? j * stB[rb - 2]! + t : t * stB[rb - 2]! + j)]!;
          s += av * bv;
        }
        out.push(act === 'relu' ? Math.max(s, 0) : act === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s);
      }
  }
  const shape = [...batch, ...(sa.length === 1 ? [] : [m]), ...(sb.length === 1 ? [] : [n])];
  return { shape, out };
}

const dimArb = fc.integer({ min: 1, max: 4 });
/** Two operands' shapes (before transposition): ranks 1..4, batch dims broadcasting (some 1, some missing). */
const caseArb = fc
  .record({
    m: dimArb,
    k: dimArb,
    n: dimArb,
    ra: fc.integer({ min: 1, max: 4 }),
    rb: fc.integer({ min: 1, max: 4 }),
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 2 }),
    onesA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    onesB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    bias: fc.boolean(),
    act: fc.constantFrom('none' as const, 'relu' as const, 'sigmoid' as const),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map((c) => {
    const batchOf = (r: number, ones: boolean[]) => c.batch.slice(2 - Math.max(r - 2, 0)).map((d, i) => (ones[i] ? 1 : d));
    const sa = c.ra === 1 ? [c.k] : [...batchOf(c.ra, c.onesA), ...(c.transA ? [c.k, c.m] : [c.m, c.k])];
    const sb = c.rb === 1 ? [c.k] : [...batchOf(c.rb, c.onesB), ...(c.transB ? [c.n, c.k] : [c.k, c.n])];
    return { ...c, sa, sb, transA: c.ra > 1 && c.transA, transB: c.rb > 1 && c.transB, n: c.rb === 1 ? 1 : c.n };
  });

function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32) * 4 - 2);
  });
}

describe.each(NAMED_DEVICES)('matmul broadcasting like torch.matmul on %s', (_name, getDevice) => {
  it('1-D, 2-D and batched operands, broadcast batch dims, transA/transB, bias and activation: the float64 reference and the CPU twin', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const da = values(size(c.sa), c.seed);
        const db = values(size(c.sb), c.seed + 1);
        const dbias = c.bias ? values(c.n, c.seed + 2) : null;
        const opts = (dev: typeof device) => ({
          transA: c.transA,
          transB: c.transB,
          activation: c.act,
          ...(dbias ? { bias: fromArray(dbias, [c.n], { device: dev }) } : {}),
        });
        const want = reference(da, c.sa, db, c.sb, c.transA, c.transB, dbias, c.act);
        const y = matmul(fromArray(da, c.sa, { device }), fromArray(db, c.sb, { device }), opts(device));
        const label = JSON.stringify({ sa: c.sa, sb: c.sb, transA: c.transA, transB: c.transB, bias: c.bias, act: c.act });
        expect(y.shape, label).toEqual(want.shape);
        const got = await y.toArray();
        expectClose(got, want.out, { atol: 1e-5, rtol: 1e-5, label });
        const twin = await matmul(fromArray(da, c.sa, { device: cpu }), fromArray(db, c.sb, { device: cpu }), opts(cpu)).toArray();
        expectClose(got, twin, { atol: 1e-5, rtol: 1e-5, label: `${label} vs the CPU twin` });
      }),
      { numRuns: 40 },
    );
  });

  it('leaves no intermediate alive', async () => {
    const device = await getDevice();
    const a = fromArray(values(24, 1), [2, 3, 4], { device });
    const b = fromArray(values(4, 2), [4], { device });
    const bias = fromArray([0.5, -1], [2], { device });
    const c = fromArray(values(8, 3), [4, 2], { device });
    const before = memory().liveTensors;
    tidy(() => [matmul(a, b), matmul(b, c), matmul(b, b), matmul(a, c, { bias, activation: 'relu' })]).forEach((t) => t.dispose());
    expect(memory().liveTensors).toBe(before);
  });

  it('refuses what torch.matmul refuses, naming the op and the shapes', async () => {
    const device = await getDevice();
    const t = (shape: number[]) => fromArray(new Array(size(shape)).fill(1), shape, { device });
    const cases: [() => unknown, RegExp][] = [
      [() => matmul(t([2, 3, 4]), t([5, 2])), /matmul: a is \[2, 3, 4\], b is \[5, 2\]: inner dims 4 and 5 differ/],
      [() => matmul(t([2, 3, 4]), t([3, 4, 2])), /matmul: .*\[2\].*\[3\]/],
      [() => matmul(t([3]), t([4])), /matmul: a is \[3\], b is \[4\]: inner dims 3 and 4 differ/],
      [() => matmul(t([]), t([4])), /matmul: .*expected rank 1 or more/],
      [() => matmul(t([3]), t([3, 2]), { transA: true }), /matmul: .*expected transA only on an operand of rank 2 or more/],
      [() => matmul(t([2, 2, 3]), t([3, 4]), { bias: t([3]) }), /matmul: bias has shape \[3\].*expected \[4\]/],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(SaddleError);
      expect(call).toThrow(message);
    }
  });
});
