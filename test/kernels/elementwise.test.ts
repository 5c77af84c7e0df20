import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device } from '@saddle/tensor';
import { binary, unary, UNARY_OPS, BINARY_OPS, type UnaryOpName, type BinaryOpName } from '@saddle/kernels-wgsl';
import { kernelDevices, wasm } from '../support/devices.js';
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

const domains: Partial<Record<UnaryOpName, [number, number]>> = { log: [1e-3, 100], sqrt: [0, 100], reciprocal: [0.1, 10], exp: [-40, 40] };
// WGSL's exp and log are accurate to 3 + 2|x| ULP (not correctly rounded), so the tolerance grows with |x|.
const rtols: Partial<Record<UnaryOpName, number>> = { exp: 2e-5, softplus: 1e-5, sigmoid: 1e-5, tanh: 1e-5, log: 1e-5 };

async function runUnary(name: UnaryOpName, device: Device, data: number[], shape: number[]) {
  return unary(name, fromArray(data, shape, { device })).toArray();
}

describe('unary kernels match their CPU twins', () => {
  for (const name of Object.keys(UNARY_OPS) as UnaryOpName[]) {
    it(name, async () => {
      const devices = await kernelDevices();
      const [lo, hi] = domains[name] ?? [-100, 100];
      await fc.assert(
        fc.asyncProperty(shapeArb.chain((s) => fc.tuple(fc.constant(s), values(size(s), lo, hi))), async ([shape, data]) => {
          const want = await runUnary(name, cpu, data, shape);
          for (const device of devices) {
            const got = await runUnary(name, device, data, shape);
            expectClose(got, want, { atol: 1e-6, rtol: rtols[name] ?? 2e-6, label: `${name} on ${device.name}` });
          }
        }),
        { numRuns: 15 },
      );
    });
  }

  it('reads transposed views without a copy', async () => {
    for (const device of await kernelDevices()) {
      const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device });
      const xt = x.view([3, 2], [1, 3], 0);
      expect(Array.from(await unary('neg', xt).toArray())).toEqual([-1, -4, -2, -5, -3, -6]);
    }
  });

  it('sigmoid and softplus are finite and exact at logits of +-100', async () => {
    for (const device of await kernelDevices()) {
      const x = fromArray([-100, -30, 0, 30, 100], [5], { device });
      const s = Array.from(await unary('sigmoid', x).toArray());
      expect(s.every(Number.isFinite)).toBe(true);
      expect(s[2]).toBe(0.5);
      expect(s[4]).toBe(1);
      expectClose(await unary('softplus', x).toArray(), [0, 9.357623e-14, Math.LN2, 30, 100], { atol: 1e-6, rtol: 1e-6 });
    }
  });
});

describe('binary kernels broadcast like NumPy and match their CPU twins', () => {
  for (const name of Object.keys(BINARY_OPS) as BinaryOpName[]) {
    it(name, async () => {
      const devices = await kernelDevices();
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
            for (const device of devices) {
              const got = await binary(name, fromArray(d1, s1, { device }), fromArray(d2, s2, { device })).toArray();
              expectClose(got, want, { atol: 1e-5, rtol: 1e-5, label: `${name} on ${device.name}` });
            }
          },
        ),
        { numRuns: 15 },
      );
    });
  }

  it('works on i32 and u32', async () => {
    for (const device of await kernelDevices()) {
      for (const dtype of ['i32', 'u32'] as const) {
        const a = fromArray([1, 2, 3], [3], { device, dtype });
        expect(Array.from(await binary('mul', a, 3).toArray())).toEqual([3, 6, 9]);
      }
    }
  });

  it('names the op, the shapes and what was expected on a mismatch', async () => {
    for (const gpu of await kernelDevices()) {
      const a = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
      const b = fromArray([1, 2], [2], { device: gpu });
      expect(() => binary('add', a, b)).toThrowError(/add: shapes \[2, 3\] and \[2\] do not broadcast/);
      expect(() => binary('add', a, fromArray([1, 2, 3], [3], { device: cpu }))).toThrowError(/add: inputs are on different devices/);
      expect(() => binary('add', a, fromArray([1, 2, 3], [3], { device: gpu, dtype: 'i32' }))).toThrowError(SaddleError);
      expect(() => unary('exp', fromArray([1, 2], [2], { device: gpu, dtype: 'i32' }))).toThrowError(/exp: dtype i32 is not supported; expected f32 or f64/);
      const d = fromArray([1], [1], { device: gpu });
      d.dispose();
      expect(() => unary('exp', d)).toThrowError(/exp: tensor #\d+ \[1\] was disposed/);
    }
  });
});

describe('wasm integer kernels match the CPU twins exactly', () => {
  // i32 and u32 take their own i32x4 paths (unsigned compares for u32 min/max, wrapping negation).
  const intUnary = (Object.keys(UNARY_OPS) as UnaryOpName[]).filter((n) => !UNARY_OPS[n].floatOnly);
  const intBinary = (Object.keys(BINARY_OPS) as BinaryOpName[]).filter((n) => !BINARY_OPS[n].floatOnly);
  const ints = (n: number, dtype: 'i32' | 'u32') => fc.array(fc.integer({ min: dtype === 'i32' ? -1000 : 0, max: 1000 }), { minLength: n, maxLength: n });

  for (const dtype of ['i32', 'u32'] as const) {
    it(`${dtype}: ${intUnary.join(', ')}; ${intBinary.join(', ')}`, async () => {
      const w = await wasm();
      await fc.assert(
        fc.asyncProperty(
          broadcastPair.chain(([sa, sb]) => fc.tuple(fc.constant(sa), fc.constant(sb), ints(size(sa), dtype), ints(size(sb), dtype))),
          async ([sa, sb, da, db]) => {
            for (const name of intUnary) {
              const want = await unary(name, fromArray(da, sa, { device: cpu, dtype })).toArray();
              expect(Array.from(await unary(name, fromArray(da, sa, { device: w, dtype })).toArray()), name).toEqual(Array.from(want));
            }
            for (const name of intBinary) {
              const want = await binary(name, fromArray(da, sa, { device: cpu, dtype }), fromArray(db, sb, { device: cpu, dtype })).toArray();
              const got = await binary(name, fromArray(da, sa, { device: w, dtype }), fromArray(db, sb, { device: w, dtype })).toArray();
              expect(Array.from(got), name).toEqual(Array.from(want));
            }
          },
        ),
        { numRuns: 15 },
      );
      if (dtype === 'u32') {
        // Past 2^31 a signed compare would get these wrong (8 elements: the i32x4 path runs).
        const big = [3e9, 1, 4294967295, 0, 2 ** 31, 2 ** 31 - 1, 5, 3e9];
        const small = [1, 3e9, 0, 4294967295, 2 ** 31 - 1, 2 ** 31, 3e9, 5];
        const [a, b] = [fromArray(big, [8], { device: w, dtype }), fromArray(small, [8], { device: w, dtype })];
        expect(Array.from(await binary('maximum', a, b).toArray())).toEqual(big.map((v, i) => Math.max(v, small[i]!)));
        expect(Array.from(await binary('minimum', a, b).toArray())).toEqual(big.map((v, i) => Math.min(v, small[i]!)));
      }
    });
  }
});

describe('wasm elementwise: 1 thread and 2 threads agree bit for bit', () => {
  // Each output element is computed by the same instructions whatever thread computes it, so the
  // split of the flat range over threads cannot change a bit.
  const threadCounts = [1, 2] as const;
  const n = 10_007; // not a multiple of 4 or 16: the scalar tails and uneven shares are exercised
  const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 20);
  const other = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11) * 3 + 3.5);

  it('every unary op, dense and through a transposed view', async () => {
    const [one, two] = await Promise.all(threadCounts.map((t) => wasm(t)));
    for (const name of Object.keys(UNARY_OPS) as UnaryOpName[]) {
      const results = [];
      for (const device of [one!, two!]) {
        const x = fromArray(name === 'log' || name === 'sqrt' ? other : data, [n], { device });
        const t = fromArray(data.subarray(0, 100 * 97), [100, 97], { device });
        results.push([await unary(name, x).toArray(), await unary(name, t.view([97, 100], [1, 97], 0)).toArray()]);
      }
      expect(results[1]![0], name).toEqual(results[0]![0]);
      expect(results[1]![1], name).toEqual(results[0]![1]);
    }
  });

  it('every binary op, dense and broadcast', async () => {
    const [one, two] = await Promise.all(threadCounts.map((t) => wasm(t)));
    for (const name of Object.keys(BINARY_OPS) as BinaryOpName[]) {
      const results = [];
      for (const device of [one!, two!]) {
        const a = fromArray(data.subarray(0, 101 * 99), [101, 99], { device });
        const b = fromArray(other.subarray(0, 101 * 99), [101, 99], { device });
        const row = fromArray(other.subarray(0, 99), [99], { device });
        const col = fromArray(other.subarray(0, 101), [101, 1], { device });
        results.push([await binary(name, a, b).toArray(), await binary(name, a, row).toArray(), await binary(name, col, a).toArray()]);
      }
      for (let k = 0; k < 3; k++) expect(results[1]![k], name).toEqual(results[0]![k]);
    }
  });
});
