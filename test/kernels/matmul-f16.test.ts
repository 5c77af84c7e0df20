/**
 * f16 storage with f32 accumulation (ops/src/matmul/matmul-f16.ts) on lavapipe, which has
 * `shader-f16`: the host's f16 rounding, the kernel against its CPU twin (same f16 inputs: they
 * differ only by the f32 accumulation), and against the f32 product of the unrounded inputs.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray } from '@saddle/tensor';
import { f16Bits, f16Matrix, f16Value, matmulCpu, matmulF16, matmulF16Cpu, packF16, type Activation } from '@saddle/ops';
import { webgpu } from '../support/devices.js';
import { TRANSPOSE_PAIRS } from '../support/matmul.js';
import { expectClose } from '../support/compare.js';
import { randomData } from '../support/random-data.js';

/** Pipeline compiles dominate on lavapipe; on a saturated shared machine they take minutes. */
const SLOW = 600_000;

describe('f16 rounding on the host', () => {
  it('is round-to-nearest, ties to even, for random f32 values of every magnitude', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -65504, max: 65504 }), (x) => {
        const h = f16Bits(x);
        const v = f16Value(h);
        // No f16 value is nearer (the neighbours of h in magnitude), and a tie keeps the even one.
        for (const other of [h + 1, h - 1]) {
          if ((other & 0x7fff) > 0x7bff || other < 0 || (other & 0x8000) !== (h & 0x8000)) continue;
          const w = f16Value(other);
          const d = Math.abs(x - v);
          const dw = Math.abs(x - w);
          expect(d).toBeLessThanOrEqual(dw);
          if (d === dw) expect(h & 1).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('edge values: exact f16 values, overflow, subnormals, signed zero, NaN', () => {
    for (const x of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, 3 * 2 ** -24, 1 + 2 ** -10]) expect(f16Value(f16Bits(x))).toBe(x);
    expect(f16Value(f16Bits(65520))).toBe(Infinity); // rounds up past the largest finite (65504)
    expect(f16Value(f16Bits(65519))).toBe(65504);
    expect(f16Value(f16Bits(2 ** -25))).toBe(0); // a tie between 0 and the smallest subnormal: even (0)
    expect(f16Value(f16Bits(1.5 * 2 ** -25))).toBe(2 ** -24);
    expect(f16Value(f16Bits(1 + 2 ** -11))).toBe(1); // tie: keeps the even mantissa
    expect(f16Value(f16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(Object.is(f16Value(f16Bits(-0)), -0)).toBe(true);
    expect(f16Value(f16Bits(NaN))).toBeNaN();
    expect(Array.from(packF16([1, -2, 0.5]))).toEqual([0x3c00 | (0xc000 << 16), 0x3800].map((x) => x >>> 0));
  });
});

describe('matmulF16 on WebGPU (shader-f16)', () => {
  const run = async (m: number, n: number, k: number, transA: boolean, transB: boolean, activation: Activation, withBias: boolean, seed: number, scale = 1) => {
    const gpu = await webgpu();
    expect(gpu.features.has('shader-f16')).toBe(true);
    const a = randomData(m * k, seed, -scale, scale);
    const b = randomData(k * n, seed + 1, -scale, scale);
    const aShape: [number, number] = transA ? [k, m] : [m, k];
    const bShape: [number, number] = transB ? [n, k] : [k, n];
    const bias = withBias ? randomData(n, seed + 2, -1, 1) : null;
    const A = f16Matrix(a, aShape, gpu);
    const B = f16Matrix(b, bShape, gpu);
    const tb = bias ? fromArray(bias, [n], { device: gpu }) : undefined;
    const got = await matmulF16(A, B, { transA, transB, bias: tb, activation }).toArray();
    const label = `${m}x${n}x${k} transA=${transA} transB=${transB} ${activation} bias=${withBias}`;
    // The twin on the same f16 values: only the f32 accumulation differs (K·eps32·Σ|a||b|).
    const twin = new Float64Array(m * n);
    matmulF16Cpu(packF16(a), packF16(b), twin, m, n, k, { transA, transB, bias, activation });
    const eps32 = 2 ** -24;
    expectClose(got, twin, { atol: 2 * k * eps32 * scale * scale + 1e-7, rtol: 1e-6, label: `twin ${label}` });
    // The f32 product of the unrounded inputs: each input is off by at most 2^-11 relative, so each
    // product by about 2^-10 of |a||b|, the sum by 2^-10·K·scale² (plus the f32 accumulation).
    if (activation === 'none') {
      const exact = new Float64Array(m * n);
      matmulCpu(a, b, exact, m, n, k, { transA, transB, bias });
      expectClose(got, exact, { atol: (2 ** -10 + 2 * eps32) * k * scale * scale + 1e-6, rtol: 0, label: `unrounded ${label}` });
    }
    for (const t of [A.packed, B.packed, tb]) t?.dispose();
  };

  for (const [transA, transB] of TRANSPOSE_PAIRS) {
    it(
      `random odd shapes match the CPU twin, transA=${transA} transB=${transB}`,
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 90 }),
            fc.integer({ min: 1, max: 90 }),
            fc.integer({ min: 1, max: 150 }),
            fc.constantFrom<Activation>('none', 'relu', 'sigmoid'),
            fc.boolean(),
            fc.integer({ min: 1, max: 1e6 }),
            async (m, n, k, act, withBias, seed) => run(m, n, k, transA, transB, act, withBias, seed),
          ),
          { numRuns: 3 },
        );
      },
      SLOW,
    );
  }

  it(
    "the GAN's shapes (vec4 loads of f16), and values near f16's range",
    async () => {
      await run(100, 1200, 784, false, false, 'relu', true, 7);
      await run(64, 48, 256, true, false, 'none', false, 9, 200);
    },
    SLOW,
  );

  it(
    'the CPU device runs the twin; a device without shader-f16 is refused by name',
    async () => {
      const A = f16Matrix([1, 2, 3, 4], [2, 2], cpu);
      const B = f16Matrix([0.5, 0, 0, 0.5], [2, 2], cpu);
      expect(Array.from(await matmulF16(A, B).toArray())).toEqual([0.5, 1, 1.5, 2]);
      expect(() => f16Matrix([1, 2, 3], [2, 2], cpu)).toThrow(/3 values for shape \[2, 2\]; expected 4/);
    },
    SLOW,
  );
});
