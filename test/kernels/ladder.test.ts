/**
 * The matmul ladder (docs/kernels.md): every step on each device against the CPU twin, on random
 * shapes weighted towards the edges of each step's tiles (4 x 8 on wasm; 16, 64 and 128 on
 * WebGPU), so every bounds path (zero-fill, skipped stores, scalar edges, padded panels) runs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device } from '@saddle/tensor';
import { matmulCpu, matmulLadder, transpose, WASM_LADDER, WGSL_LADDER, type LadderStep } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { maxAbs } from '../support/matmul.js';
import { expectClose } from '../support/compare.js';
import { randomData } from '../support/random-data.js';

async function check(device: Device, step: string, m: number, n: number, k: number, seed: number): Promise<void> {
  const a = randomData(m * k, seed, -1, 1);
  const b = randomData(k * n, seed + 1, -1, 1);
  const want = new Float64Array(m * n);
  matmulCpu(a, b, want, m, n, k);
  const ta = fromArray(a, [m, k], { device });
  const tb = fromArray(b, [k, n], { device });
  const out = matmulLadder(ta, tb, step);
  expect(out.shape).toEqual([m, n]);
  const got = await out.toArray();
  // As for matmul: f32 sums of K products err by at most about K·eps·Σ|a||b|.
  const atol = 1e-6 * Math.max(k, 1) * maxAbs(a) * maxAbs(b) + 1e-7;
  expectClose(got, want, { atol, rtol: 1e-5, label: `matmulLadder ${step} on ${device.kind} ${m}x${n}x${k}` });
  for (const t of [ta, tb, out]) t.dispose();
}

const dim = fc.oneof(fc.integer({ min: 1, max: 140 }), fc.constantFrom(1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 128, 129));
const shape = fc.record({ m: dim, n: dim, k: dim, seed: fc.integer({ min: 1, max: 2 ** 30 }) });

describe('matmul ladder on WebGPU matches the CPU twin', () => {
  for (const { name } of WGSL_LADDER) {
    it(`step ${name}: random shapes`, async () => {
      const gpu = await webgpu();
      // Steps 4 and 5 are the production kernel (test/kernels/matmul.test.ts covers it at length).
      const numRuns = name === 'vec4' || name === 'final' ? 5 : 12;
      await fc.assert(
        fc.asyncProperty(shape, ({ m, n, k, seed }) => check(gpu, name, m, n, k, seed)),
        { numRuns },
      );
    });
  }
  it('every step on 200x136x300 (several blocks and k-tiles, none of them full at the edges)', async () => {
    const gpu = await webgpu();
    for (const { name } of WGSL_LADDER) await check(gpu, name, 200, 136, 300, 7);
  });
});

/**
 * Each wasm step on the build `pnpm bench ladder` times it on: `fma` on a relaxed-SIMD device, the
 * others on a SIMD128 one. The relaxed build's fused multiply-add (one rounding per step instead of
 * two) errs by at most (K + 1)·eps/2·Σ|a||b|, inside the same 1e-6·K bound (test/kernels/matmul.test.ts).
 */
const deviceFor = (step: LadderStep) => wasm(2, step.build ?? 'simd128');

describe('matmul ladder on wasm matches the CPU twin', () => {
  for (const step of WASM_LADDER) {
    it(`step ${step.name} (${step.build ?? 'simd128'}): random shapes`, async () => {
      const d = await deviceFor(step);
      expect(d.build).toBe(step.build ?? 'simd128');
      await fc.assert(
        fc.asyncProperty(shape, ({ m, n, k, seed }) => check(d, step.name, m, n, k, seed)),
        { numRuns: 25 },
      );
    });
  }
  it('every step on 203x141x600 (K past one 256 block, edges in both dims)', async () => {
    for (const step of WASM_LADDER) await check(await deviceFor(step), step.name, 203, 141, 600, 11);
  });
  it('the fma step is the last, and refused on a SIMD128 device with what it needs', async () => {
    expect(WASM_LADDER.at(-1)!.name).toBe('fma');
    const d = await wasm(2, 'simd128');
    const a = fromArray(new Float32Array(6), [2, 3], { device: d });
    const b = fromArray(new Float32Array(12), [3, 4], { device: d });
    expect(() => matmulLadder(a, b, 'fma')).toThrow(SaddleError);
    expect(() => matmulLadder(a, b, 'fma')).toThrow(
      /matmulLadder.*step 'fma'.*relaxed-simd build.*simd128 build.*\[2, 3\]·\[3, 4\] f32.*expected.*build: 'relaxed-simd'/,
    );
    for (const t of [a, b]) t.dispose();
  });
});

describe('matmulLadder input checks', () => {
  it('a view is made dense first', async () => {
    const d = await wasm();
    const data = randomData(6 * 5, 3, -1, 1);
    const at = fromArray(data, [6, 5], { device: d });
    const a = transpose(at); // [5, 6], not dense
    const b = fromArray(randomData(6 * 7, 4, -1, 1), [6, 7], { device: d });
    const got = await matmulLadder(a, b, 'tile4x8').toArray();
    const aDense = new Float32Array(5 * 6);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 6; j++) aDense[i * 6 + j] = data[j * 5 + i]!;
    const want = new Float64Array(5 * 7);
    matmulCpu(aDense, await b.toArray(), want, 5, 7, 6);
    expectClose(got, want, { atol: 1e-5 });
  });

  it('clear errors: an unknown step, a CPU tensor, mismatched shapes', async () => {
    const d = await wasm();
    const a = fromArray(new Float32Array(6), [2, 3], { device: d });
    const b = fromArray(new Float32Array(12), [3, 4], { device: d });
    expect(() => matmulLadder(a, b, 'naive')).toThrow(SaddleError);
    expect(() => matmulLadder(a, b, 'naive')).toThrow(/matmulLadder.*no step 'naive' on wasm.*\[2, 3\].*f32.*'scalar'/);
    expect(() => matmulLadder(a, a, 'scalar')).toThrow(/inner dimensions differ/);
    const c = fromArray(new Float32Array(6), [2, 3], { device: cpu });
    expect(() => matmulLadder(c, fromArray(new Float32Array(12), [3, 4], { device: cpu }), 'scalar')).toThrow(/no CPU steps/);
  });
});
