/**
 * Split-K matmul (ops/src/matmul/split-k*.ts): the matmul kernel computing partial sums
 * over parts of K, and the reduction that adds them and applies the epilogue, each against its CPU
 * twin on the real adapter; and the policy that chooses the split (the GAN's skinny products split
 * on a GPU, never on a software adapter unless forced).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fromArray, type WebGpuDevice } from '@saddle/tensor';
import {
  matmul,
  matmulCpu,
  chooseMatmulConfig,
  chooseSplitK,
  recordSplitKReduce,
  splitKParts,
  splitKReduceCpu,
  MATMUL_MIN_WORKGROUPS,
  MATMUL_SPLIT_K,
  type Activation,
} from '@saddle/ops';
import { webgpu } from '../support/devices.js';
import { TRANSPOSE_PAIRS, maxAbs } from '../support/matmul.js';
import { expectClose } from '../support/compare.js';
import { randomData } from '../support/random-data.js';

interface Case {
  m: number;
  n: number;
  k: number;
  splitK: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  activation?: Activation;
  config?: 'large' | 'medium' | 'small';
  seed?: number;
}

/** One product with a forced split against the CPU twin (doubles); the tolerance is the single pass's (K·eps·max|a|·max|b|). */
async function check(gpu: WebGpuDevice, c: Case): Promise<void> {
  const { m, n, k, transA = false, transB = false, activation = 'none', seed = 1 } = c;
  const a = randomData(m * k, seed, -1, 1);
  const b = randomData(k * n, seed + 1, -1, 1);
  const bias = c.bias ? randomData(n, seed + 2, -1, 1) : null;
  const want = new Float64Array(m * n);
  matmulCpu(a, b, want, m, n, k, { transA, transB, bias, activation });
  const ta = fromArray(a, transA ? [k, m] : [m, k], { device: gpu });
  const tb = fromArray(b, transB ? [n, k] : [k, n], { device: gpu });
  const tbias = bias ? fromArray(bias, [n], { device: gpu }) : undefined;
  const before = gpu.counters.dispatches;
  const out = matmul(ta, tb, { transA, transB, bias: tbias, activation, splitK: c.splitK, config: c.config });
  const parts = splitKParts(k, 16, c.splitK).splits;
  // One dispatch unsplit; the partial products and their reduction when split.
  expect(gpu.counters.dispatches - before).toBe(parts > 1 ? 2 : 1);
  const atol = 1e-6 * Math.max(k, 1) * maxAbs(a) * maxAbs(b) + 1e-6 + 1e-7;
  expectClose(await out.toArray(), want, {
    atol,
    rtol: 1e-5,
    label: `split-K ${c.splitK} (${parts} parts) ${m}x${n}x${k} transA=${transA} transB=${transB} ${activation}`,
  });
  for (const t of [ta, tb, tbias, out]) t?.dispose();
}

const dim = fc.oneof(fc.integer({ min: 1, max: 140 }), fc.constantFrom(1, 3, 15, 16, 17, 31, 33, 64, 100, 129));

/** Pipeline compiles dominate on lavapipe; on a saturated shared machine they take minutes. */
const SLOW = 600_000;

describe('split-K matmul on WebGPU', () => {
  for (const [transA, transB] of TRANSPOSE_PAIRS) {
    it(
      `random shapes and splits match the CPU twin, transA=${transA} transB=${transB}`,
      async () => {
        const gpu = await webgpu();
        await fc.assert(
          fc.asyncProperty(
            dim,
            dim,
            fc.integer({ min: 1, max: 400 }),
            fc.integer({ min: 1, max: 9 }),
            fc.boolean(),
            fc.constantFrom<Activation>('none', 'relu', 'sigmoid'),
            fc.integer({ min: 1, max: 1e6 }),
            async (m, n, k, splitK, bias, activation, seed) => check(gpu, { m, n, k, splitK, transA, transB, bias, activation, seed }),
          ),
          { numRuns: 12 },
        );
      },
      SLOW,
    );
  }

  it(
    "the GAN's skinny products, split as a GPU would split them, in every tiling",
    async () => {
      const gpu = await webgpu();
      await check(gpu, { m: 100, n: 1200, k: 1200, splitK: 4, bias: true, activation: 'relu' });
      await check(gpu, { m: 100, n: 784, k: 1200, splitK: 4, bias: true, activation: 'sigmoid' });
      await check(gpu, { m: 100, n: 784, k: 1200, splitK: 3, transB: true, config: 'medium' }); // dX = dY·Wᵀ
      await check(gpu, { m: 200, n: 1, k: 240, splitK: 3, bias: true, config: 'large' }); // D's logits
      await check(gpu, { m: 240, n: 1, k: 200, splitK: 3, transA: true, config: 'small' }); // its dW
      await check(gpu, { m: 7, n: 5, k: 33, splitK: 3, transA: true, transB: true, config: 'small' });
    },
    SLOW,
  );

  it(
    'a split larger than K allows is cut to one tile per part; splitK 1 is one pass',
    async () => {
      expect(splitKParts(40, 16, 8)).toEqual({ splits: 3, kChunk: 16 });
      expect(splitKParts(1200, 16, 4)).toEqual({ splits: 4, kChunk: 304 });
      expect(splitKParts(1200, 16, 1)).toEqual({ splits: 1, kChunk: 1200 });
      expect(splitKParts(0, 16, 5).splits).toBe(1);
      expect(() => splitKParts(100, 16, 0)).toThrow(/splitK 0/);
      const gpu = await webgpu();
      await check(gpu, { m: 9, n: 11, k: 40, splitK: 8 });
      await check(gpu, { m: 9, n: 11, k: 16, splitK: 8 });
    },
    SLOW,
  );

  it('parts cover K exactly: every part non-empty, chunks multiples of the k-tile', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(4, 8, 16, 32), fc.integer({ min: 1, max: 64 }), (k, bk, s) => {
        const { splits, kChunk } = splitKParts(k, bk, s);
        expect(kChunk % bk).toBe(0);
        expect(splits).toBeGreaterThanOrEqual(1);
        expect(splits).toBeLessThanOrEqual(Math.max(1, s));
        expect(splits * kChunk).toBeGreaterThanOrEqual(k);
        if (splits > 1) expect((splits - 1) * kChunk).toBeLessThan(k); // the last part starts inside K
      }),
    );
  });

  it(
    'the reduction kernel matches its CPU twin (bias, activations, ragged N)',
    async () => {
      const gpu = await webgpu();
      for (const [m, n, s, act, withBias] of [
        [3, 5, 4, 'relu', true],
        [17, 8, 2, 'sigmoid', false],
        [1, 1, 7, 'none', true],
        [64, 130, 3, 'none', false],
      ] as [number, number, number, Activation, boolean][]) {
        const partial = randomData(s * m * n, m + n + s, -5, 5);
        const bias = withBias ? randomData(n, 99, -1, 1) : null;
        const want = new Float64Array(m * n);
        splitKReduceCpu(partial, want, m, n, s, bias, act);
        const tp = fromArray(partial, [s, m, n], { device: gpu });
        const tb = bias ? fromArray(bias, [n], { device: gpu }) : null;
        const out = fromArray(new Float32Array(m * n), [m, n], { device: gpu });
        recordSplitKReduce(gpu, tp, tb, out, m, n, s, act);
        expectClose(await out.toArray(), want, { atol: 1e-5, rtol: 1e-6, label: `reduce ${m}x${n} S=${s} ${act}` });
        for (const t of [tp, tb, out]) t?.dispose();
      }
    },
    SLOW,
  );
});

describe('split-K policy', () => {
  // A hardware GPU's limits (an H100's workgroup memory).
  const limits = { maxComputeWorkgroupStorageSize: 49152, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024 };
  const plan = (m: number, n: number, k: number, software: boolean) => {
    const c = chooseMatmulConfig(m, n, limits, software ? MATMUL_MIN_WORKGROUPS.software : MATMUL_MIN_WORKGROUPS.gpu);
    const blocks = Math.ceil(m / c.bm) * Math.ceil(n / c.bn);
    return { blocks, ...chooseSplitK(blocks, k, c.bk, software ? MATMUL_SPLIT_K.software : MATMUL_SPLIT_K.gpu) };
  };

  it("splits the GAN's batch-100 products on a GPU to about the target workgroup count", () => {
    for (const [m, n, k] of [
      [100, 1200, 1200],
      [100, 784, 1200],
      [100, 1200, 784],
      [200, 1200, 240],
    ]) {
      const p = plan(m!, n!, k!, false);
      expect(p.blocks, `${m}x${n}x${k}`).toBeLessThan(MATMUL_SPLIT_K.gpu.targetWorkgroups);
      expect(p.splits, `${m}x${n}x${k}`).toBeGreaterThan(1);
      expect(p.blocks * p.splits).toBeGreaterThanOrEqual(MATMUL_SPLIT_K.gpu.targetWorkgroups / 2);
      expect(p.kChunk).toBeGreaterThanOrEqual(MATMUL_SPLIT_K.gpu.minK);
    }
  });

  it('does not split big products, short K, or anything on a software adapter', () => {
    expect(plan(4096, 4096, 4096, false).splits).toBe(1);
    expect(plan(100, 1200, 100, false).splits).toBe(1); // K = 100: parts would be shorter than minK
    expect(plan(100, 1200, 1200, true).splits).toBe(1);
  });

  it(
    'on this adapter (lavapipe: software) a default matmul is one dispatch',
    async () => {
      const gpu = await webgpu();
      expect(gpu.software).toBe(true);
      const a = fromArray(randomData(100 * 1200, 1, -1, 1), [100, 1200], { device: gpu });
      const b = fromArray(randomData(1200 * 784, 2, -1, 1), [1200, 784], { device: gpu });
      const before = gpu.counters.dispatches;
      const y = matmul(a, b);
      expect(gpu.counters.dispatches - before).toBe(1);
      for (const t of [a, b, y]) t.dispose();
    },
    SLOW,
  );
});
