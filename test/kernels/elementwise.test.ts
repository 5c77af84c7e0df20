import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device } from '@saddle/tensor';
import { binary, unary, UNARY_OPS, BINARY_OPS, type UnaryOpName, type BinaryOpName } from '@saddle/ops';
import { allDevices, kernelDevices, wasm } from '../support/devices.js';
import { expectClose, expectUlps } from '../support/compare.js';

/** A shape of rank 0..4 with small dims, and a broadcast-compatible partner. */
const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 });
const broadcastPair = shapeArb.chain((s) =>
  fc
    .tuple(
      fc.constant(s),
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((ones) => s.map((d, i) => (ones[i] ? 1 : d))),
      fc.integer({ min: 0, max: s.length }),
    )
    .map(([a, b, drop]) => [a, b.slice(drop)] as const),
);
const values = (n: number, min: number, max: number) =>
  fc.array(fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n });
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

const domains: Partial<Record<UnaryOpName, [number, number]>> = {
  log1p: [-0.99, 100],
  expm1: [-40, 40],
  log: [1e-3, 100],
  sqrt: [0, 100],
  reciprocal: [0.1, 10],
  exp: [-40, 40],
};
// WGSL's exp and log are accurate to 3 + 2|x| ULP (not correctly rounded), so the tolerance grows with |x|.
const rtols: Partial<Record<UnaryOpName, number>> = {
  log1p: 1e-5,
  expm1: 2e-5,
  logSigmoid: 1e-5,
  exp: 2e-5,
  softplus: 1e-5,
  sigmoid: 1e-5,
  tanh: 1e-5,
  log: 1e-5,
};

async function runUnary(name: UnaryOpName, device: Device, data: number[], shape: number[]) {
  return unary(name, fromArray(data, shape, { device })).toArray();
}

describe('unary kernels match their CPU twins', () => {
  for (const name of Object.keys(UNARY_OPS) as UnaryOpName[]) {
    it(name, async () => {
      const devices = await kernelDevices();
      const [lo, hi] = domains[name] ?? [-100, 100];
      await fc.assert(
        fc.asyncProperty(
          shapeArb.chain((s) => fc.tuple(fc.constant(s), values(size(s), lo, hi))),
          async ([shape, data]) => {
            const want = await runUnary(name, cpu, data, shape);
            for (const device of devices) {
              const got = await runUnary(name, device, data, shape);
              expectClose(got, want, { atol: 1e-6, rtol: rtols[name] ?? 2e-6, label: `${name} on ${device.name}` });
            }
          },
        ),
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

describe('wasm transcendental kernels at the edges of their domains', () => {
  // The SIMD exp/log/sigmoid/tanh/softplus (Cephes-style, ~1 ulp) against the f64 twins rounded to
  // f32: 2 ulp relative, plus 1.2e-38 absolute where the true result is subnormal (exp below
  // -87.3 flushes to 0 by design).
  const cases: [UnaryOpName, number[]][] = [
    ['exp', [-Infinity, -100, -87.5, -87.3, -10, -1e-8, 0, 1e-8, 1, 10, 88, 88.7, 89, Infinity, NaN]],
    ['log', [0, -1, -Infinity, 1e-40, 1.2e-38, 1e-30, 0.5, 0.70710677, 0.7071068, 1, 1 + 2 ** -23, 1.4142135, 1.4142137, 2, 1e30, 3.4e38, Infinity, NaN]],
    ['sigmoid', [-Infinity, -100, -20, -1e-3, 0, 1e-3, 20, 100, Infinity, NaN]],
    ['tanh', [-Infinity, -20, -3, -0.7, -0.625, -0.6, -1e-5, 0, 1e-5, 0.6, 0.625, 0.7, 3, 20, Infinity, NaN]],
    ['softplus', [-Infinity, -100, -90, -20, -1e-3, 0, 1e-3, 20, 100, Infinity, NaN]],
  ];
  for (const [name, xs] of cases) {
    it(name, async () => {
      const w = await wasm();
      const want = await unary(name, fromArray(xs, [xs.length], { device: cpu })).toArray();
      const got = await unary(name, fromArray(xs, [xs.length], { device: w })).toArray();
      expectClose(got, want.map(Math.fround), { atol: 1.2e-38, rtol: 2 ** -22, label: name });
    });
  }
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

/** The activations against float64, in f32 ulps (exact values from JS doubles, rounded once). */
const exact: Record<'sigmoid' | 'softplus' | 'tanh', (x: number) => number> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  tanh: Math.tanh,
};
/**
 * The tolerance. Each WGSL activation (shared/activation.wgsl.ts) is a short chain of f32 operations
 * on non-negative terms, so rounding errors add up instead of being amplified by cancellation: exp
 * by range reduction and a polynomial (about 1.5 ulps), log1p as a series in s = u / (2 + u) (a
 * division, then a positive polynomial: about 2), then one more division or addition. Emulating the
 * same formulas with correctly rounded f32 steps gives at most 3 ulps over [-100, 100]; WGSL allows a
 * division 2.5 ulps (not 0.5), so 4 ulps is the bound we hold every device to. The CPU twins compute
 * in doubles and round once: 1 ulp. The wasm kernels (kernels-wasm/assembly/shared/math.ts) are the
 * same shape of chain with Cephes' polynomials: exp and log about 1 ulp each, then one or two
 * correctly rounded divisions or additions (wasm f32 arithmetic is IEEE, round to nearest, no FMA,
 * no reassociation): at most 3 ulps by the same count, held to the same 4. The old forms were off by 17% (softplus at -15: 10^6 ulps) and
 * more, so this tolerance separates right from wrong by orders of magnitude.
 */
const ULPS = { cpu: 1, webgpu: 4, wasm: 4 } as const;
/** Every f32 from -100 to 100 in steps of 2^-9, tiny magnitudes for tanh, and the edges of the range. */
function logitSweep(): Float32Array {
  const xs: number[] = [];
  for (let i = -100 * 512; i <= 100 * 512; i++) xs.push(i / 512);
  for (let e = -149; e <= 0; e++) xs.push(2 ** e, -(2 ** e), 1.37 * 2 ** e, -1.37 * 2 ** e);
  xs.push(1e-8, -1e-8, 3.4e38, -3.4e38, 88.7, -88.7, 103, -103, 0, -0, Infinity, -Infinity, NaN);
  return new Float32Array(xs);
}

describe('sigmoid, softplus and tanh are within a few ulps of float64 over the whole f32 range', () => {
  const anyF32 = fc.float({ noNaN: false });
  for (const name of ['sigmoid', 'softplus', 'tanh'] as const) {
    it(`${name}: sweep of -100..100, tiny and extreme inputs, and random f32s, on every device`, async () => {
      for (const device of await allDevices()) {
        const tol = ULPS[device.kind];
        const xs = logitSweep();
        const got = await unary(name, fromArray(xs, [xs.length], { device })).toArray();
        expectUlps(xs, got, exact[name], tol, `${name} on ${device.kind}`);
        await fc.assert(
          fc.asyncProperty(fc.array(anyF32, { minLength: 1, maxLength: 300 }), async (values) => {
            const x = new Float32Array(values);
            expectUlps(x, await unary(name, fromArray(x, [x.length], { device })).toArray(), exact[name], tol, `${name} on ${device.kind}`);
          }),
          { numRuns: 20 },
        );
      }
    });
  }
});

describe('NaN propagates on every device, as in PyTorch', () => {
  it('relu, maximum, minimum, sigmoid, softplus and tanh of NaN are NaN; numbers are unchanged', async () => {
    for (const device of await allDevices()) {
      const x = fromArray([NaN, -2, 3, NaN, 0], [5], { device });
      const y = fromArray([1, NaN, 0, NaN, -1], [5], { device });
      const s = async (t: ReturnType<typeof unary>) => Array.from(await t.toArray()).map(String);
      expect(await s(unary('relu', x)), device.kind).toEqual(['NaN', '0', '3', 'NaN', '0']);
      expect(await s(binary('maximum', x, y)), device.kind).toEqual(['NaN', 'NaN', '3', 'NaN', '0']);
      expect(await s(binary('minimum', x, y)), device.kind).toEqual(['NaN', 'NaN', '0', 'NaN', '-1']);
      expect(await s(binary('maximum', x, 0)), device.kind).toEqual(['NaN', '0', '3', 'NaN', '0']);
      expect(await s(binary('minimum', 0, x)), device.kind).toEqual(['NaN', '-2', '0', 'NaN', '0']);
      for (const name of ['sigmoid', 'softplus', 'tanh'] as const) {
        expect((await unary(name, x).toArray())[0], `${name} on ${device.kind}`).toBeNaN();
      }
    }
  });

  it('maximum and minimum of integers are unaffected', async () => {
    for (const gpu of await kernelDevices()) {
      const a = fromArray([1, -5, 7], [3], { device: gpu, dtype: 'i32' });
      const b = fromArray([2, -6, 7], [3], { device: gpu, dtype: 'i32' });
      expect(Array.from(await binary('maximum', a, b).toArray()), gpu.kind).toEqual([2, -5, 7]);
      expect(Array.from(await binary('minimum', a, b).toArray()), gpu.kind).toEqual([1, -6, 7]);
    }
  });
});
