import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device } from '@saddle/tensor';
import { binary, unary, UNARY_OPS, BINARY_OPS, type UnaryOpName, type BinaryOpName } from '@saddle/kernels-wgsl';
import { webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

/** A shape of rank 0..4 with small dims, and a broadcast-compatible partner. */
const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 });
const broadcastPair = shapeArb.chain((s) =>
  fc.tuple(
    fc.constant(s),
    fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((ones) => s.map((d, i) => (ones[i] ? 1 : d))),
    fc.integer({ min: 0, max: s.length }),
  ).map(([a, b, drop]) => [a, b.slice(drop)] as const),
);
const values = (n: number, min: number, max: number) => fc.array(fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n });
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

const domains: Partial<Record<UnaryOpName, [number, number]>> = { log1p: [-0.99, 100], expm1: [-40, 40], log: [1e-3, 100], sqrt: [0, 100], reciprocal: [0.1, 10], exp: [-40, 40] };
// WGSL's exp and log are accurate to 3 + 2|x| ULP (not correctly rounded), so the tolerance grows with |x|.
const rtols: Partial<Record<UnaryOpName, number>> = { log1p: 1e-5, expm1: 2e-5, logSigmoid: 1e-5, exp: 2e-5, softplus: 1e-5, sigmoid: 1e-5, tanh: 1e-5, log: 1e-5 };

async function runUnary(name: UnaryOpName, device: Device, data: number[], shape: number[]) {
  return unary(name, fromArray(data, shape, { device })).toArray();
}

describe('unary kernels match their CPU twins', () => {
  for (const name of Object.keys(UNARY_OPS) as UnaryOpName[]) {
    it(name, async () => {
      const gpu = await webgpu();
      const [lo, hi] = domains[name] ?? [-100, 100];
      await fc.assert(
        fc.asyncProperty(shapeArb.chain((s) => fc.tuple(fc.constant(s), values(size(s), lo, hi))), async ([shape, data]) => {
          const want = await runUnary(name, cpu, data, shape);
          const got = await runUnary(name, gpu, data, shape);
          expectClose(got, want, { atol: 1e-6, rtol: rtols[name] ?? 2e-6, label: name });
        }),
        { numRuns: 15 },
      );
    });
  }

  it('reads transposed views without a copy', async () => {
    const gpu = await webgpu();
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
    const xt = x.view([3, 2], [1, 3], 0);
    expect(Array.from(await unary('neg', xt).toArray())).toEqual([-1, -4, -2, -5, -3, -6]);
  });

  it('sigmoid and softplus are finite and exact at logits of +-100', async () => {
    const gpu = await webgpu();
    const x = fromArray([-100, -30, 0, 30, 100], [5], { device: gpu });
    const s = Array.from(await unary('sigmoid', x).toArray());
    expect(s.every(Number.isFinite)).toBe(true);
    expect(s[2]).toBe(0.5);
    expect(s[4]).toBe(1);
    expectClose(await unary('softplus', x).toArray(), [0, 9.357623e-14, Math.LN2, 30, 100], { atol: 1e-6, rtol: 1e-6 });
  });
});

describe('binary kernels broadcast like NumPy and match their CPU twins', () => {
  for (const name of Object.keys(BINARY_OPS) as BinaryOpName[]) {
    it(name, async () => {
      const gpu = await webgpu();
      const positive = name === 'pow' || name === 'div';
      await fc.assert(
        fc.asyncProperty(
          broadcastPair.chain(([sa, sb]) =>
            fc.tuple(fc.constant(sa), fc.constant(sb), values(size(sa), positive ? 0.5 : -50, 50), values(size(sb), positive ? 0.5 : -50, positive ? 3 : 50)),
          ),
          fc.boolean(),
          async ([sa, sb, da, db], swap) => {
            const [s1, s2, d1, d2] = swap ? [sb, sa, db, da] : [sa, sb, da, db];
            const want = await binary(name, fromArray(d1, s1, { device: cpu }), fromArray(d2, s2, { device: cpu })).toArray();
            const got = await binary(name, fromArray(d1, s1, { device: gpu }), fromArray(d2, s2, { device: gpu })).toArray();
            expectClose(got, want, { atol: 1e-5, rtol: 1e-5, label: name });
          },
        ),
        { numRuns: 15 },
      );
    });
  }

  it('works on i32 and u32', async () => {
    const gpu = await webgpu();
    for (const dtype of ['i32', 'u32'] as const) {
      const a = fromArray([1, 2, 3], [3], { device: gpu, dtype });
      expect(Array.from(await binary('mul', a, 3).toArray())).toEqual([3, 6, 9]);
    }
  });

  it('names the op, the shapes and what was expected on a mismatch', async () => {
    const gpu = await webgpu();
    const a = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
    const b = fromArray([1, 2], [2], { device: gpu });
    expect(() => binary('add', a, b)).toThrowError(/add: shapes \[2, 3\] and \[2\] do not broadcast/);
    expect(() => binary('add', a, fromArray([1, 2, 3], [3], { device: cpu }))).toThrowError(/add: inputs are on different devices/);
    expect(() => binary('add', a, fromArray([1, 2, 3], [3], { device: gpu, dtype: 'i32' }))).toThrowError(SaddleError);
    const d = fromArray([1], [1], { device: gpu });
    d.dispose();
    expect(() => unary('exp', d)).toThrowError(/exp: tensor #\d+ \[1\] was disposed/);
  });
});
