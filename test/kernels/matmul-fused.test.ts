/**
 * The fused backward product (ops/src/matmul/matmul-fused.ts): operands masked by
 * step(mask) as they are loaded (ReLU' fused into dX and dW) and the column sums of op(B) from an
 * extra row of ones in op(A) (the bias gradient fused into dW), against the CPU twin, and against
 * the unfused ops on the same adapter (the product bit for bit).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device, type Tensor } from '@saddle/tensor';
import { matmul, matmulFused, matmulFusedCpu, mul, step, sum } from '@saddle/ops';
import { deviceNamed } from '../support/devices.js';
import { TRANSPOSE_PAIRS } from '../support/matmul.js';
import { expectClose } from '../support/compare.js';
import { randomData } from '../support/random-data.js';

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  maskA: boolean;
  maskB: boolean;
  columnSums: boolean;
  seed: number;
}

function inputs(c: Case, device: Device) {
  const aShape = c.transA ? [c.k, c.m] : [c.m, c.k];
  const bShape = c.transB ? [c.n, c.k] : [c.k, c.n];
  const a = randomData(c.m * c.k, c.seed, -1, 1);
  const b = randomData(c.k * c.n, c.seed + 1, -1, 1);
  // Masks: about half positive, half not (ReLU outputs: zeros and positives), and some exact zeros.
  const ma = c.maskA ? randomData(c.m * c.k, c.seed + 2, -1, 1).map((x) => (x < -0.8 ? 0 : x)) : null;
  const mb = c.maskB ? randomData(c.k * c.n, c.seed + 3, -1, 1).map((x) => (x < -0.8 ? 0 : x)) : null;
  return {
    host: { a, b, ma, mb },
    t: {
      a: fromArray(a, aShape, { device }),
      b: fromArray(b, bShape, { device }),
      ma: ma ? fromArray(ma, aShape, { device }) : undefined,
      mb: mb ? fromArray(mb, bShape, { device }) : undefined,
    },
  };
}

async function check(device: Device, c: Case): Promise<void> {
  const { host, t } = inputs(c, device);
  const want = new Float64Array(c.m * c.n);
  const wantSums = c.columnSums ? new Float64Array(c.n) : null;
  matmulFusedCpu(host.a, host.b, want, c.m, c.n, c.k, { transA: c.transA, transB: c.transB, maskA: host.ma, maskB: host.mb, sums: wantSums });
  const { out, sums } = matmulFused(t.a, t.b, { transA: c.transA, transB: c.transB, maskA: t.ma, maskB: t.mb, columnSums: c.columnSums });
  const label = `${c.m}x${c.n}x${c.k} transA=${c.transA} transB=${c.transB} maskA=${c.maskA} maskB=${c.maskB} sums=${c.columnSums}`;
  expect(out.shape).toEqual([c.m, c.n]);
  expectClose(await out.toArray(), want, { atol: 1e-6 * Math.max(1, c.k) + 1e-7, rtol: 1e-5, label });
  if (c.columnSums) {
    expect(sums!.shape).toEqual([c.n]);
    expectClose(await sums!.toArray(), wantSums!, { atol: 1e-6 * Math.max(1, c.k) + 1e-7, rtol: 1e-5, label: `sums ${label}` });
  } else expect(sums).toBeNull();
  for (const x of [t.a, t.b, t.ma, t.mb, out, sums]) x?.dispose();
}

const dim = fc.oneof(fc.integer({ min: 1, max: 130 }), fc.constantFrom(1, 3, 4, 5, 16, 31, 32, 33, 64, 100, 128, 129));
const caseArb = (transA: boolean, transB: boolean) =>
  fc.record({
    m: dim,
    n: dim,
    k: dim,
    transA: fc.constant(transA),
    transB: fc.constant(transB),
    maskA: fc.boolean(),
    maskB: fc.boolean(),
    columnSums: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e6 }),
  });

/** Pipeline compiles dominate on lavapipe; on a saturated shared machine they take minutes. */
const SLOW = 600_000;

describe.each(['webgpu', 'wasm'])('matmulFused matches its CPU twin on %s', (name) => {
  for (const [transA, transB] of TRANSPOSE_PAIRS) {
    it(
      `random shapes, masks and column sums, transA=${transA} transB=${transB}`,
      async () => {
        const gpu = await deviceNamed(name);
        await fc.assert(
          fc.asyncProperty(caseArb(transA, transB), async (c) => check(gpu, c)),
          { numRuns: 4 },
        );
      },
      SLOW,
    );
  }

  it(
    "the GAN's backward products: dX = (g ⊙ step(y))·Wᵀ and [dW; db] = [xᵀ; 1ᵀ]·(g ⊙ step(y))",
    async () => {
      const gpu = await deviceNamed(name);
      await check(gpu, { m: 100, n: 1200, k: 1200, transA: false, transB: true, maskA: true, maskB: false, columnSums: false, seed: 3 });
      await check(gpu, { m: 1200, n: 1200, k: 100, transA: true, transB: false, maskA: false, maskB: true, columnSums: true, seed: 4 });
    },
    SLOW,
  );

  it(
    'M = 0 still gives the column sums; the CPU device runs the twin',
    async () => {
      const gpu = await deviceNamed(name);
      for (const device of [gpu, cpu] as Device[]) {
        const x = fromArray(new Float32Array(0), [3, 0], { device });
        const g = fromArray([1, 2, -1, 4, 5, 6], [3, 2], { device });
        const y = fromArray([1, 0, 1, 1, -2, 1], [3, 2], { device });
        const { out, sums } = matmulFused(x, g, { transA: true, maskB: y, columnSums: true });
        expect(out.shape).toEqual([0, 2]);
        expect(Array.from(await sums!.toArray())).toEqual([1 - 1, 4 + 6]);
      }
    },
    SLOW,
  );

  it(
    'the product is bit for bit matmul(mul(g, step(y)), W) (same kernel, same loads), the sums equal sum(dz, 0) to f32 rounding',
    async () => {
      const gpu = await deviceNamed(name);
      const B = 100;
      const N = 300;
      const K = 77;
      const g = fromArray(randomData(B * N, 11, -1, 1), [B, N], { device: gpu });
      const y = fromArray(
        randomData(B * N, 12, -1, 1).map((v) => Math.max(0, v)),
        [B, N],
        { device: gpu },
      );
      const W = fromArray(randomData(K * N, 13, -1, 1), [K, N], { device: gpu });
      const x = fromArray(randomData(B * K, 14, -1, 1), [B, K], { device: gpu });
      const dz = mul(g, step(y));
      const dXRef = await matmul(dz, W, { transB: true }).toArray();
      const dWRef = await matmul(x, dz, { transA: true }).toArray();
      const dbRef = await sum(dz, 0).toArray();
      const dX = await matmulFused(g, W, { transB: true, maskA: y }).out.toArray();
      const f = matmulFused(x, g, { transA: true, maskB: y, columnSums: true });
      expect(Array.from(dX)).toEqual(Array.from(dXRef));
      // dW: the fused product has one more row of blocks' worth of M (K + 1 rows): its tiling may
      // differ from the unfused one, so compare to f32 rounding, not bits.
      expectClose(await f.out.toArray(), dWRef, { atol: 1e-5, rtol: 1e-5, label: 'dW' });
      expectClose(await f.sums!.toArray(), dbRef, { atol: 1e-5, rtol: 1e-5, label: 'db' });
    },
    SLOW,
  );

  it(
    'bad masks are refused with the shapes named',
    async () => {
      const gpu = await deviceNamed(name);
      const a = fromArray(new Float32Array(6), [2, 3], { device: gpu });
      const b = fromArray(new Float32Array(12), [3, 4], { device: gpu });
      const bad: Tensor = fromArray(new Float32Array(6), [3, 2], { device: gpu });
      expect(() => matmulFused(a, b, { maskA: bad })).toThrow(/maskA has shape \[3, 2\]; expected \[2, 3\]/);
    },
    SLOW,
  );
});
