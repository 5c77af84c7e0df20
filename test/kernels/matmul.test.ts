import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, memory, SaddleError, Tensor, type Device, type WebGpuDevice } from '@saddle/tensor';
import {
  matmul,
  matmulCpu,
  chooseMatmulConfig,
  chooseWasmMatmulTiles,
  matmulWorkgroupBytes,
  MATMUL_CONFIGS,
  type Activation,
  type MatmulConfig,
} from '@saddle/ops';
import { allDevices, kernelDevices, wasm, WASM_BUILDS, webgpu } from '../support/devices.js';
import { TRANSPOSE_PAIRS, maxAbs } from '../support/matmul.js';
import { expectClose, expectUlps } from '../support/compare.js';

/** Deterministic uniform values in [-scale, scale), rounded to f32. */
function randomF32(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (r * 2 - 1) * scale;
  }
  return out;
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  activation?: Activation;
  scale?: number;
  seed?: number;
  config?: keyof typeof MATMUL_CONFIGS | MatmulConfig;
}

/**
 * Runs one product on `device` and compares it with the CPU twin computed in doubles on the same
 * f32 inputs. f32 accumulation over K terms errs by at most about K·eps·Σ|a||b|; the tolerance is
 * 1e-6·K·max|a|·max|b| (eps32 ≈ 1.2e-7), far below what a wrong index or a missed tile produces.
 * The same bound covers wasm's relaxed-SIMD build, whose fused multiply-add (acc + a·b rounded
 * once) drops the K roundings of the products and keeps the K of the running sum: its error is at
 * most (K + 1)·eps/2·Σ|a||b|, below the unfused (2K)·eps/2·Σ|a||b| the tolerance was derived for.
 */
async function check(device: Device, c: Case): Promise<void> {
  const { m, n, k, transA = false, transB = false, activation = 'none', scale = 1, seed = 1 } = c;
  const a = randomF32(m * k, seed, scale);
  const b = randomF32(k * n, seed + 1, scale);
  const bias = c.bias ? randomF32(n, seed + 2, scale) : null;
  const want = new Float64Array(m * n);
  matmulCpu(a, b, want, m, n, k, { transA, transB, bias, activation });
  const ta = fromArray(a, transA ? [k, m] : [m, k], { device });
  const tb = fromArray(b, transB ? [n, k] : [k, n], { device });
  const tbias = bias ? fromArray(bias, [n], { device }) : undefined;
  const out = matmul(ta, tb, { transA, transB, bias: tbias, activation, config: c.config });
  expect(out.shape).toEqual([m, n]);
  expect(out.dtype).toBe('f32');
  const got = await out.toArray();
  const atol = 1e-6 * Math.max(k, 1) * maxAbs(a) * maxAbs(b) + 1e-6 * (bias ? maxAbs(bias) : 0) + 1e-7;
  const name = typeof c.config === 'object' ? c.config.name : (c.config ?? 'auto');
  expectClose(got, want, { atol, rtol: 1e-5, label: `matmul ${m}x${n}x${k} transA=${transA} transB=${transB} bias=${!!bias} ${activation} ${name}` });
  for (const t of [ta, tb, tbias, out]) t?.dispose();
}

/** Dimensions 1..150, weighted towards primes and the edges of the tiles (4, 16, 32, 64, 128). */
const dim = fc.oneof(fc.integer({ min: 1, max: 150 }), fc.constantFrom(1, 2, 3, 5, 7, 13, 31, 32, 33, 61, 63, 64, 65, 97, 127, 128, 129, 131, 149));
const caseArb = fc.record({
  m: dim,
  n: dim,
  k: dim,
  bias: fc.boolean(),
  activation: fc.constantFrom<Activation>('none', 'relu', 'sigmoid'),
  scale: fc.constantFrom(1, 1e-3, 30),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

describe('matmul matches its CPU twin on WebGPU', () => {
  for (const [transA, transB] of TRANSPOSE_PAIRS) {
    it(`random shapes, transA=${transA} transB=${transB}`, async () => {
      const gpu = await webgpu();
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => check(gpu, { ...c, transA, transB })),
        { numRuns: 15 },
      );
    });
  }

  it('random shapes with each tiling forced (every bounds path of every config)', async () => {
    const gpu = await webgpu();
    await fc.assert(
      fc.asyncProperty(caseArb, fc.boolean(), fc.boolean(), fc.constantFrom('large', 'medium', 'small' as const), async (c, transA, transB, config) =>
        check(gpu, { ...c, transA, transB, config }),
      ),
      { numRuns: 20 },
    );
  });

  it('larger fixed cases: 257x129x300 and friends, in every tiling', async () => {
    const gpu = await webgpu();
    for (const config of ['large', 'medium', 'small'] as const) {
      await check(gpu, { m: 257, n: 129, k: 300, config, bias: true, activation: 'relu' });
      await check(gpu, { m: 257, n: 129, k: 300, config, transA: true, transB: true, seed: 5 });
    }
    await check(gpu, { m: 100, n: 1200, k: 784, bias: true, activation: 'relu' }); // the GAN's first layer
    await check(gpu, { m: 100, n: 1, k: 1200, bias: true, activation: 'sigmoid', transB: true }); // its last
    await check(gpu, { m: 300, n: 257, k: 129, transA: true });
  });

  it('shapes that are multiples of the tile, in every tiling', async () => {
    const gpu = await webgpu();
    await check(gpu, { m: 256, n: 128, k: 64, config: 'large', bias: true, activation: 'sigmoid' });
    await check(gpu, { m: 128, n: 256, k: 48, config: 'large', transA: true, transB: true });
    await check(gpu, { m: 128, n: 64, k: 32, config: 'medium', transB: true, bias: true });
    await check(gpu, { m: 64, n: 96, k: 16, config: 'small', transA: true });
  });

  it('single-buffered and non-square tilings', async () => {
    const gpu = await webgpu();
    const single: MatmulConfig = { ...MATMUL_CONFIGS.large, name: 'large-single', doubleBuffer: false };
    const tall: MatmulConfig = { name: 'tall', bm: 64, bn: 32, bk: 8, tm: 8, tn: 4, doubleBuffer: true };
    // One pair of flags per tiling (each pair is a pipeline to compile); each pair has one operand
    // loaded directly and one scattered.
    for (const [config, transA, transB] of [
      [single, true, true],
      [tall, false, false],
    ] as const) {
      await check(gpu, { m: 131, n: 67, k: 45, config, transA, transB, bias: true, activation: 'relu' });
      await check(gpu, { m: 128, n: 128, k: 32, config, transA, transB });
      await check(gpu, { m: 5, n: 3, k: 9, config, transA, transB, activation: 'sigmoid' });
    }
  });

  it('K = 1, M = 1, N = 1', async () => {
    const gpu = await webgpu();
    await check(gpu, { m: 37, n: 41, k: 1, bias: true });
    await check(gpu, { m: 37, n: 41, k: 1, transA: true, transB: true });
    await check(gpu, { m: 1, n: 1, k: 1 });
    await check(gpu, { m: 1, n: 300, k: 70, activation: 'sigmoid' });
    await check(gpu, { m: 300, n: 1, k: 70, transA: true });
  });

  it('K = 0 gives act(bias); M = 0 gives an empty result', async () => {
    const gpu = await webgpu();
    const bias = fromArray([-1, 0, 2], [3], { device: gpu });
    const out = matmul(Tensor.empty([2, 0], 'f32', gpu), Tensor.empty([0, 3], 'f32', gpu), { bias, activation: 'relu' });
    expect(Array.from(await out.toArray())).toEqual([0, 0, 2, 0, 0, 2]);
    const empty = matmul(Tensor.empty([0, 4], 'f32', gpu), Tensor.empty([4, 3], 'f32', gpu));
    expect(empty.shape).toEqual([0, 3]);
  });

  it('sigmoid of huge logits is exactly 0 or 1, relu zeroes negatives; NaN spreads along its row', async () => {
    for (const gpu of await kernelDevices()) {
      const a = fromArray([100, -100, 1e4, -1e4], [4, 1], { device: gpu });
      const b = fromArray([1, 2], [1, 2], { device: gpu });
      // sigmoid(-100) = 3.7e-44 is subnormal: WGSL may flush it to 0, wasm keeps it (IEEE, as the CPU twin).
      const sig = Array.from(await matmul(a, b, { activation: 'sigmoid' }).toArray());
      expect(
        sig.map((v) => (v < 2 ** -126 && v >= 0 ? 0 : v)),
        gpu.kind,
      ).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
      expect(Array.from(await matmul(a, b, { activation: 'relu' }).toArray())).toEqual([100, 200, 0, 0, 1e4, 2e4, 0, 0]);
      const withNaN = fromArray([1, NaN, 3, 4], [2, 2], { device: gpu });
      const eye = fromArray([1, 0, 0, 1], [2, 2], { device: gpu });
      const got = Array.from(await matmul(withNaN, eye).toArray());
      expect(got.slice(0, 2).every(Number.isNaN), gpu.kind).toBe(true);
      expect(got.slice(2)).toEqual([3, 4]);
    }
  });

  it('the relu and sigmoid epilogues keep NaN (as PyTorch), on every device', async () => {
    for (const device of await allDevices()) {
      const a = fromArray([NaN, 1, -2, 0.5], [2, 2], { device });
      const eye = fromArray([1, 0, 0, 1], [2, 2], { device });
      for (const activation of ['relu', 'sigmoid'] as const) {
        const got = Array.from(await matmul(a, eye, { activation }).toArray());
        expect(Number.isNaN(got[0]!), `${activation} on ${device.kind}`).toBe(true);
        expect(got[3], `${activation} on ${device.kind}`).toBe(activation === 'relu' ? 0.5 : Math.fround(1 / (1 + Math.exp(-0.5))));
      }
      expect(Array.from(await matmul(a, eye, { activation: 'relu', bias: fromArray([0, 3], [2], { device }) }).toArray()).map(String)).toEqual([
        'NaN',
        'NaN',
        '0',
        '3.5',
      ]); // NaN · 0 = NaN: it spreads along its row
    }
  });

  it('the sigmoid epilogue is within 4 ulps of float64 for logits -100..100 (the shared activation math; on wasm, shared/math.ts)', async () => {
    for (const device of await allDevices()) {
      const zs: number[] = [];
      for (let i = -100 * 64; i <= 100 * 64; i++) zs.push(i / 64);
      // [n, 1] x [1, 1] of ones: the product is the logit itself, exactly.
      const got = await matmul(fromArray(zs, [zs.length, 1], { device }), fromArray([1], [1, 1], { device }), { activation: 'sigmoid' }).toArray();
      expectUlps(zs, got, (z) => 1 / (1 + Math.exp(-z)), device.kind === 'cpu' ? 1 : 4, `sigmoid epilogue on ${device.kind}`);
    }
  });

  it('folds a transposed view into the flag (no copy) and copies other views, on WebGPU and wasm', async () => {
    for (const gpu of await kernelDevices()) {
      // Dispatches are counted on WebGPU; wasm runs the same folds (its launcher is the same code).
      const dispatches = () => (gpu.kind === 'webgpu' ? (gpu as WebGpuDevice).counters.dispatches : 0);
      const perCall = gpu.kind === 'webgpu' ? 1 : 0;
      const m = 19;
      const k = 23;
      const n = 11;
      const aData = randomF32(m * k, 7);
      const bData = randomF32(k * n, 8);
      const want = new Float64Array(m * n);
      matmulCpu(aData, bData, want, m, n, k);
      // aT is a stored [K, M]; its transposed view [M, K] (strides [1, M]) is a, with no copy.
      const aT = new Float32Array(k * m);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aT[p * m + i] = aData[i * k + p]!;
      const base = fromArray(aT, [k, m], { device: gpu });
      const view = base.view([m, k], [1, m], 0);
      const b = fromArray(bData, [k, n], { device: gpu });
      const before = dispatches();
      const out = matmul(view, b);
      expect(dispatches() - before).toBe(perCall);
      expectClose(await out.toArray(), want, { atol: 1e-5, rtol: 1e-5, label: 'transposed view' });
      // A transposed view of b's storage, read with transB, is b again: both folds, still one dispatch.
      const bTView = b.view([n, k], [1, n], 0);
      const before1 = dispatches();
      const out2 = matmul(view, bTView, { transB: true });
      expect(dispatches() - before1).toBe(perCall);
      expectClose(await out2.toArray(), want, { atol: 1e-5, rtol: 1e-5, label: 'transposed views with flags' });
      // One tensor as both operands (x·xᵀ): the same buffer bound read-only four times.
      const gram = matmul(b, b, { transB: true });
      const wantGram = new Float64Array(k * k);
      matmulCpu(bData, bData, wantGram, k, k, n, { transB: true });
      expectClose(await gram.toArray(), wantGram, { atol: 1e-5, rtol: 1e-5, label: 'x·xᵀ' });
      // A row slice (offset != 0) is not foldable: it is copied, and the result is still right.
      const big = fromArray(new Float32Array([...new Float32Array(k), ...aData]), [m + 1, k], { device: gpu });
      const sliced = big.view([m, k], [k, 1], k);
      const before2 = dispatches();
      const out3 = matmul(sliced, b);
      expect(dispatches() - before2).toBe(2 * perCall);
      expectClose(await out3.toArray(), want, { atol: 1e-5, rtol: 1e-5, label: 'sliced view' });
    }
  });

  it('the choice of tiling respects maxComputeWorkgroupStorageSize', () => {
    const limits = (bytes: number) => ({ maxComputeWorkgroupStorageSize: bytes, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 });
    expect(chooseMatmulConfig(4096, 4096, limits(49152)).name).toBe('large');
    expect(chooseMatmulConfig(4096, 4096, limits(32768)).name).toBe('large');
    expect(chooseMatmulConfig(4096, 4096, limits(16384)).name).toBe('large-single');
    expect(chooseMatmulConfig(4096, 4096, limits(4096)).name).toBe('small-single');
    for (const bytes of [4096, 8192, 16384, 32768, 49152]) {
      for (const [m, n] of [
        [4096, 4096],
        [100, 1200],
        [100, 1],
        [1, 1],
      ] as const) {
        expect(matmulWorkgroupBytes(chooseMatmulConfig(m, n, limits(bytes)))).toBeLessThanOrEqual(bytes);
      }
    }
    // Small and skinny products get small tiles (more workgroups) on a GPU.
    expect(chooseMatmulConfig(100, 1200, limits(49152)).name).toBe('small');
    expect(chooseMatmulConfig(1024, 1024, limits(49152)).name).toBe('medium');
    expect(() => chooseMatmulConfig(64, 64, limits(1024))).toThrow(/no tiling fits/);
  });
});

/** K up to 700: two and three K blocks of the wasm kernel (blocks of at most 256). */
const longKArb = fc.record({
  m: fc.integer({ min: 1, max: 40 }),
  n: fc.integer({ min: 1, max: 40 }),
  k: fc.integer({ min: 200, max: 700 }),
  bias: fc.boolean(),
  activation: fc.constantFrom<Activation>('none', 'relu', 'sigmoid'),
  scale: fc.constantFrom(1, 1e-3, 30),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

describe('matmul matches its CPU twin on wasm (register tiles 4x8 in the SIMD128 build, 5x8 in the relaxed-SIMD one, packed panels, 2 threads)', () => {
  for (const [transA, transB] of TRANSPOSE_PAIRS) {
    it(`random shapes, transA=${transA} transB=${transB}: tails of every tile, one to three K blocks`, async () => {
      const d = await wasm();
      await fc.assert(
        fc.asyncProperty(caseArb, async (c) => check(d, { ...c, transA, transB })),
        { numRuns: 40 },
      );
      await fc.assert(
        fc.asyncProperty(longKArb, async (c) => check(d, { ...c, transA, transB })),
        { numRuns: 10 },
      );
    });
  }

  it('larger fixed cases: several macro tiles, the GAN layers forward and backward', async () => {
    const d = await wasm();
    for (const [transA, transB] of TRANSPOSE_PAIRS) {
      await check(d, { m: 257, n: 129, k: 300, transA, transB, bias: true, activation: 'relu', seed: 3 });
    }
    await check(d, { m: 100, n: 1200, k: 784, bias: true, activation: 'relu' }); // the GAN's first layer
    await check(d, { m: 100, n: 1, k: 1200, bias: true, activation: 'sigmoid', transB: true }); // its last
    await check(d, { m: 784, n: 1200, k: 100, transA: true }); // dW = Xᵀ·dY
    await check(d, { m: 100, n: 784, k: 1200, transB: true }); // dX = dY·Wᵀ
    await check(d, { m: 128, n: 256, k: 513, bias: true, activation: 'sigmoid' }); // full tiles, 3 K blocks
  });

  it('K = 1, M = 1, N = 1, K = 0 (act(bias)), M = 0', async () => {
    const d = await wasm();
    await check(d, { m: 37, n: 41, k: 1, bias: true });
    await check(d, { m: 37, n: 41, k: 1, transA: true, transB: true });
    await check(d, { m: 1, n: 1, k: 1 });
    await check(d, { m: 1, n: 300, k: 70, activation: 'sigmoid' });
    await check(d, { m: 300, n: 1, k: 70, transA: true });
    const bias = fromArray([-1, 0, 2, -3, 5, 6, 7, 8, -9], [9], { device: d });
    const out = matmul(Tensor.empty([5, 0], 'f32', d), Tensor.empty([0, 9], 'f32', d), { bias, activation: 'relu' });
    const row = [0, 0, 2, 0, 5, 6, 7, 8, 0];
    expect(Array.from(await out.toArray())).toEqual([...row, ...row, ...row, ...row, ...row]);
    expect(Array.from(await matmul(Tensor.empty([2, 0], 'f32', d), Tensor.empty([0, 3], 'f32', d)).toArray())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matmul(Tensor.empty([0, 4], 'f32', d), Tensor.empty([4, 3], 'f32', d)).shape).toEqual([0, 3]);
  });

  it('epilogue numerics as the CPU twin defines them: relu(NaN) = NaN, sigmoid of huge logits is 0 or 1, NaN spreads along its row', async () => {
    const d = await wasm();
    // 9 columns: a full 8-column tile and a 1-column edge tile take the two store paths.
    const aRow = [1e3, -1e3, 1e4, -1e4, NaN];
    const a = fromArray(aRow, [5, 1], { device: d });
    const bRow = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const b = fromArray(bRow, [1, 9], { device: d });
    const sig = Array.from(await matmul(a, b, { activation: 'sigmoid' }).toArray());
    expect(sig.slice(0, 36)).toEqual([...bRow.map(() => 1), ...bRow.map(() => 0), ...bRow.map(() => 1), ...bRow.map(() => 0)]);
    expect(sig.slice(36).every(Number.isNaN)).toBe(true);
    const relu = Array.from(await matmul(a, b, { activation: 'relu' }).toArray());
    const want = new Float64Array(45);
    matmulCpu(new Float32Array(aRow), new Float32Array(bRow), want, 5, 9, 1, { activation: 'relu' });
    expect(relu).toEqual(Array.from(want));
    expect(relu.slice(36).every(Number.isNaN)).toBe(true); // relu keeps NaN, as the twin and PyTorch
    const withNaN = fromArray([1, NaN, 3, 4], [2, 2], { device: d });
    const eye = fromArray([1, 0, 0, 1], [2, 2], { device: d });
    const got = Array.from(await matmul(withNaN, eye).toArray());
    expect(got.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(got.slice(2)).toEqual([3, 4]);
  });

  it('leaves no scratch behind: memory is flat over repeated products', async () => {
    const d = await wasm();
    const a = fromArray(randomF32(70 * 300, 1), [70, 300], { device: d });
    const b = fromArray(randomF32(300 * 90, 2), [300, 90], { device: d });
    matmul(a, b).dispose();
    const before = d.memory();
    const live = memory().liveTensors;
    for (let i = 0; i < 20; i++) matmul(a, b, { transA: false }).dispose();
    expect(memory().liveTensors).toBe(live);
    expect(d.memory().allocatedBytes).toBe(before.allocatedBytes);
    expect(d.memory().liveBytes).toBe(before.liveBytes);
  });

  it.each(WASM_BUILDS)(
    '1 thread and 2 threads agree bit for bit in the %s build (each output sums its K terms in the same blocks and order)',
    async (build) => {
      const [one, two] = [await wasm(1, build), await wasm(2, build)];
      expect(one.build).toBe(build);
      // The macro tiling differs with the thread count (more, smaller tiles for more threads) ...
      expect(chooseWasmMatmulTiles(100, 300, 1)).not.toEqual(chooseWasmMatmulTiles(100, 300, 2));
      // ... and the bits do not.
      const cases: Case[] = [
        { m: 100, n: 784, k: 1200, transB: true, bias: true, activation: 'sigmoid' },
        { m: 784, n: 1200, k: 100, transA: true },
        { m: 257, n: 129, k: 513, transA: true, transB: true, bias: true, activation: 'relu' },
        { m: 100, n: 300, k: 240, bias: true, activation: 'relu' },
        { m: 33, n: 17, k: 7 },
      ];
      for (const [i, c] of cases.entries()) {
        const { m, n, k, transA = false, transB = false, activation = 'none' } = c;
        const a = randomF32(m * k, 11 + i);
        const b = randomF32(k * n, 12 + i);
        const bias = c.bias ? randomF32(n, 13 + i) : null;
        const [r1, r2] = await Promise.all(
          [one, two].map((d) =>
            matmul(fromArray(a, transA ? [k, m] : [m, k], { device: d }), fromArray(b, transB ? [n, k] : [k, n], { device: d }), {
              transA,
              transB,
              activation,
              bias: bias ? fromArray(bias, [n], { device: d }) : undefined,
            }).toArray(),
          ),
        );
        expect(Buffer.from(r2!.buffer).equals(Buffer.from(r1!.buffer)), `${m}x${n}x${k}`).toBe(true);
      }
    },
  );

  it("a forced macro tile (wasmTiles, the page's tile choice) gives the same bits as the chosen one, and a tile off the register grid is refused", async () => {
    const d = await wasm();
    const mr = d.constant('MATMUL_MR');
    const nr = d.constant('MATMUL_NR');
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          m: fc.integer({ min: 1, max: 90 }),
          n: fc.integer({ min: 1, max: 90 }),
          k: fc.integer({ min: 0, max: 300 }),
          mc: fc.integer({ min: 1, max: 24 }),
          nc: fc.integer({ min: 1, max: 24 }),
          seed: fc.nat(),
        }),
        async ({ m, n, k, mc, nc, seed }) => {
          const a = fromArray(randomF32(m * k, seed), [m, k], { device: d });
          const b = fromArray(randomF32(k * n, seed + 1), [k, n], { device: d });
          const [chosen, forced] = await Promise.all([matmul(a, b).toArray(), matmul(a, b, { wasmTiles: { mc: mc * mr, nc: nc * nr } }).toArray()]);
          expect(Buffer.from(forced.buffer).equals(Buffer.from(chosen.buffer)), `${m}x${n}x${k}, tile ${mc * mr}x${nc * nr}`).toBe(true);
          a.dispose();
          b.dispose();
        },
      ),
      { numRuns: 30 },
    );
    const f = (shape: number[]) => Tensor.empty(shape, 'f32', d);
    const before = memory(d).liveBytes;
    expect(() => matmul(f([8, 3]), f([3, 16]), { wasmTiles: { mc: mr + 1, nc: nr } })).toThrowError(
      new RegExp(
        `^matmul: wasmTiles is ${mr + 1} x ${nr} for an \\[8, 3\\]·\\[3, 16\\] f32 product; expected mc a positive multiple of ${mr} and nc a positive multiple of ${nr}`,
      ),
    );
    expect(() => matmul(f([8, 3]), f([3, 16]), { wasmTiles: { mc: mr, nc: 0 } })).toThrowError(SaddleError);
    expect(memory(d).liveBytes - before).toBe(2 * 4 * (8 * 3 + 3 * 16)); // the two inputs; no output or scratch left behind
  });

  it('the SIMD128 build matches the CPU twin too (the GAN layers, tails, three K blocks)', async () => {
    const d = await wasm(2, 'simd128');
    expect(d.name).toBe('wasm (2 threads, simd128)');
    await check(d, { m: 100, n: 1200, k: 784, bias: true, activation: 'relu' });
    await check(d, { m: 784, n: 1200, k: 100, transA: true });
    await check(d, { m: 37, n: 41, k: 700, transB: true, bias: true, activation: 'sigmoid' });
  });

  it('the relaxed-SIMD build fuses its multiply-adds where the CPU has FMA; the SIMD128 build rounds each product', async () => {
    // C = (-1)(1) + (1 + 2^-12)^2. The exact sum is 2^-11 + 2^-24 (a float). Unfused, the product
    // rounds to 1 + 2^-11 first and the sum is 2^-11; fused, acc + a·b is rounded once: 2^-11 + 2^-24.
    const a = [-1, 1 + 2 ** -12];
    const b = [1, 1 + 2 ** -12];
    const product = async (d: Device) => (await matmul(fromArray(a, [1, 2], { device: d }), fromArray(b, [2, 1], { device: d })).toArray())[0];
    expect(await product(await wasm(2, 'simd128'))).toBe(2 ** -11);
    if (!WASM_BUILDS.includes('relaxed-simd')) return;
    const relaxed = await wasm(2, 'relaxed-simd');
    expect(relaxed.name).toBe('wasm (2 threads, relaxed-simd)');
    const fused = await product(relaxed);
    // relaxed_madd may be fused or not (the engine's choice per CPU): either value, and fused where x86 has FMA3.
    expect([2 ** -11, 2 ** -11 + 2 ** -24]).toContain(fused);
    const { readFileSync, existsSync } = await import('node:fs');
    const { arch } = await import('node:os');
    if (arch() === 'x64' && existsSync('/proc/cpuinfo') && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'))) expect(fused).toBe(2 ** -11 + 2 ** -24);
  });

  it('bad input gets the same errors as on the other devices', async () => {
    for (const d of await kernelDevices()) {
      const f = (shape: number[]) => Tensor.empty(shape, 'f32', d);
      expect(() => matmul(f([2, 3]), f([4, 5]))).toThrowError(/^matmul: inner dimensions differ: a is \[2, 3\], b is \[4, 5\]; expected a\[1\] == b\[0\]/);
      expect(() => matmul(f([2, 3]), f([3, 5]), { bias: f([4]) })).toThrowError(/bias has shape \[4\]; expected \[5\]/);
      expect(() => matmul(Tensor.empty([2, 3], 'i32', d), Tensor.empty([3, 5], 'i32', d))).toThrowError(/a has dtype i32 \[2, 3\]; expected f32/);
      expect(() => matmul(f([2, 3]), f([3, 5]), { activation: 'tanh' as Activation })).toThrowError(/unknown activation 'tanh'/);
    }
  });
});

describe('matmul on the CPU', () => {
  it('f64 inputs give an f64 result computed in doubles', async () => {
    const a = fromArray([1 + 1e-12, 2, 3, 4, 5, 6], [2, 3], { device: cpu, dtype: 'f64' });
    const b = fromArray([1, 0, 0, 1, 1, 1], [3, 2], { device: cpu, dtype: 'f64' });
    const bias = fromArray([0.5, -0.25], [2], { device: cpu, dtype: 'f64' });
    const out = matmul(a, b, { bias });
    expect(out.dtype).toBe('f64');
    const got = Array.from(await out.toArray());
    expect(got).toEqual([1 + 1e-12 + 3 + 0.5, 2 + 3 - 0.25, 4 + 6 + 0.5, 5 + 6 - 0.25]);
  });

  it('every flag combination agrees with a naive triple loop (f64, transposed views too)', async () => {
    await fc.assert(
      fc.asyncProperty(
        dim,
        dim,
        dim,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom<Activation>('none', 'relu', 'sigmoid'),
        fc.integer({ min: 1, max: 1e9 }),
        async (m0, n0, k0, transA, transB, useBias, activation, seed) => {
          const [m, n, k] = [(m0 % 40) + 1, (n0 % 40) + 1, (k0 % 40) + 1];
          const a = Float64Array.from(randomF32(m * k, seed));
          const b = Float64Array.from(randomF32(k * n, seed + 1));
          const bias = Float64Array.from(randomF32(n, seed + 2));
          const A = (i: number, p: number) => (transA ? a[p * m + i]! : a[i * k + p]!);
          const B = (p: number, j: number) => (transB ? b[j * k + p]! : b[p * n + j]!);
          const act = (x: number) => (activation === 'relu' ? Math.max(x, 0) : activation === 'sigmoid' ? 1 / (1 + Math.exp(-x)) : x);
          const want: number[] = [];
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = useBias ? bias[j]! : 0;
              for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
              want.push(act(s));
            }
          const opts = { device: cpu, dtype: 'f64' as const };
          const ta = fromArray(a, transA ? [k, m] : [m, k], opts);
          const tb = fromArray(b, transB ? [n, k] : [k, n], opts);
          const out = matmul(ta, tb, { transA, transB, activation, bias: useBias ? fromArray(bias, [n], opts) : undefined });
          expectClose(await out.toArray(), want, { atol: 1e-12, rtol: 1e-12 });
          // The same product through transposed views of the other storage order.
          const aFlip = ta.view([ta.shape[1]!, ta.shape[0]!], [1, ta.shape[1]!], 0);
          const out2 = matmul(aFlip, tb, { transA: !transA, transB, activation, bias: useBias ? fromArray(bias, [n], opts) : undefined });
          expectClose(await out2.toArray(), want, { atol: 1e-12, rtol: 1e-12 });
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('matmul rejects bad input with a clear message', () => {
  const f = (shape: number[], device: Device = cpu, dtype: 'f32' | 'f64' | 'i32' = 'f32') => Tensor.empty(shape, dtype, device);
  const throwsSaddle = (fn: () => unknown, pattern: RegExp) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SaddleError);
    expect((err as Error).message).toMatch(pattern);
  };

  it('inner dimensions that differ', () => {
    throwsSaddle(() => matmul(f([2, 3]), f([4, 5])), /^matmul: inner dimensions differ: a is \[2, 3\], b is \[4, 5\]; expected a\[1\] == b\[0\]/);
    throwsSaddle(
      () => matmul(f([2, 3]), f([2, 5]), { transA: true, transB: true }),
      /a is \[2, 3\], b is \[2, 5\] \(transA, transB\); expected a\[0\] == b\[1\]/,
    );
  });

  it('a bias of the wrong length or rank', () => {
    throwsSaddle(() => matmul(f([2, 3]), f([3, 5]), { bias: f([4]) }), /bias has shape \[4\]; expected \[5\]/);
    throwsSaddle(() => matmul(f([2, 3]), f([3, 5]), { bias: f([1, 5]) }), /bias has shape \[1, 5\]; expected rank 1/);
  });

  it('rank other than 2 (broadcasting like torch.matmul: test/kernels/matmul-broadcast.test.ts)', () => {
    throwsSaddle(() => matmul(f([2, 3, 4]), f([5, 2])), /a is \[2, 3, 4\], b is \[5, 2\]: inner dims 4 and 5 differ/);
    throwsSaddle(() => matmul(f([2, 3]), f([])), /a is \[2, 3\], b is \[\]; expected rank 1 or more/);
  });

  it('wrong or mixed dtypes, unknown activation', () => {
    throwsSaddle(() => matmul(f([2, 3], cpu, 'i32'), f([3, 5], cpu, 'i32')), /a has dtype i32 \[2, 3\]; expected f32/);
    throwsSaddle(() => matmul(f([2, 3], cpu, 'f64'), f([3, 5])), /dtypes differ: a is f64, b is f32/);
    throwsSaddle(() => matmul(f([2, 3]), f([3, 5]), { activation: 'tanh' as Activation }), /unknown activation 'tanh'/);
  });

  it('a forced tiling that the device cannot run', async () => {
    const gpu = await webgpu();
    const huge: MatmulConfig = { name: 'huge', bm: 256, bn: 256, bk: 32, tm: 8, tn: 8, doubleBuffer: false };
    const live = memory().liveTensors;
    throwsSaddle(() => matmul(f([2, 3], gpu), f([3, 5], gpu), { config: huge }), /config huge needs 65536 bytes of workgroup memory/);
    expect(memory().liveTensors).toBe(live + 2);
  });

  it('inputs on different devices, and disposed inputs', async () => {
    const gpu = await webgpu();
    throwsSaddle(() => matmul(f([2, 3]), f([3, 5], gpu)), /inputs are on different devices/);
    throwsSaddle(() => matmul(f([2, 3], gpu), f([3, 5], gpu), { bias: f([5]) }), /inputs are on different devices/);
    const a = f([2, 3]);
    a.dispose();
    throwsSaddle(() => matmul(a, f([3, 5])), /was disposed/);
  });
});
