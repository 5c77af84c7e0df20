/**
 * One answer on every device (issue 21 point 4): inputs that WGSL leaves undefined or that a typed
 * array would silently wrap give the same result, or the same SaddleError, on cpu, wasm and WebGPU.
 * Property tests run each case on the three devices and compare them with the CPU.
 *
 * - pow with a negative base and an integer exponent (WGSL's pow is exp2(y·log2(x)): NaN for x < 0),
 *   and its gradient and second derivative;
 * - numbers stored in an integer dtype: truncated toward zero when finite and in range, else refused;
 * - clamp and the comparisons with NaN operands (WGSL's min/max/clamp may drop a NaN);
 * - gather and scatterAdd with an index out of range (a GPU kernel cannot throw: flagged, and thrown
 *   at the next read or sync).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  SaddleError,
  clamp,
  equal,
  full,
  fromArray,
  gather,
  grad,
  greater,
  greaterEqual,
  pow,
  scatterAdd,
  sum,
  tidy,
  type Device,
  type Tensor,
} from '@saddle/autograd';
import { allDevices } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

const f32 = (x: number) => Math.fround(x);
/**
 * Bases around zero, negative ones included, and the special values. Not subnormals: WGSL lets a
 * GPU flush them to zero (lavapipe does), so pow of a subnormal is device-dependent, as in every kernel.
 */
const baseArb = fc.oneof(
  fc.float({ min: f32(-8), max: f32(8), noNaN: true }).filter((x) => x === 0 || Math.abs(x) >= 2 ** -126),
  fc.constantFrom(-2, -1, -0.5, 0, -0, 1, 2, NaN, -Infinity, Infinity),
);
/** Integer exponents (the case WGSL gets wrong), halves (NaN for a negative base) and specials. */
const exponentArb = fc.oneof(fc.integer({ min: -7, max: 7 }), fc.constantFrom(0.5, -1.5, 2.5, 1e9, -Infinity, Infinity, NaN));

/** Runs `fn` on each device; returns each device's values by kind. */
async function onEvery(fn: (device: Device) => Tensor): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const device of await allDevices()) {
    const t = fn(device);
    out[device.kind] = Array.from(await t.toArray());
    t.dispose();
  }
  return out;
}

/** A subnormal result as the zero of its sign: a GPU may flush it (WGSL allows it; lavapipe does). */
const flushed = (v: number) => (v !== 0 && Math.abs(v) < 2 ** -126 ? (v < 0 ? -0 : 0) : v);

/** Same NaNs, same signs of zero and of infinities, and values within rtol (WGSL's pow is a few ulps). */
function expectSameAnswer(gotRaw: number[], wantRaw: number[], rtol: number, label: string): void {
  const got = gotRaw.map(flushed);
  const want = wantRaw.map(flushed);
  expect(got.map(Number.isNaN), `${label}: NaN positions`).toEqual(want.map(Number.isNaN));
  expect(
    got.map((v) => (Number.isNaN(v) ? 0 : Math.sign(1 / v === -Infinity ? -1 : v))),
    `${label}: signs`,
  ).toEqual(want.map((v) => (Number.isNaN(v) ? 0 : Math.sign(1 / v === -Infinity ? -1 : v))));
  expectClose(got, want, { rtol, atol: 0, label });
}

describe('pow: a negative base with an integer exponent is right on every device', () => {
  it('matches Math.pow (the CPU twin) on wasm and WebGPU, NaN, zeros, signs and infinities included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(baseArb, exponentArb), { minLength: 1, maxLength: 40 }), async (pairs) => {
        const xs = pairs.map(([x]) => x);
        const ys = pairs.map(([, y]) => y);
        const r = await onEvery((device) => pow(fromArray(xs, [xs.length], { device }), fromArray(ys, [ys.length], { device })));
        const want = xs.map((x, i) => f32(Math.pow(f32(x), f32(ys[i]!))));
        expectSameAnswer(r.cpu!, want, 0, 'cpu');
        expectSameAnswer(r.wasm!, r.cpu!, 1e-6, 'wasm');
        expectSameAnswer(r.webgpu!, r.cpu!, 2e-5, 'webgpu');
      }),
      { numRuns: 25 },
    );
  });

  it('pow(x, 4) and pow(x, 3) of negative x: the values, gradients and second derivatives agree on every device', async () => {
    const xs = [-1.5, -0.7, 0.4, 2];
    for (const k of [3, 4]) {
      const r = await onEvery((device) => pow(fromArray(xs, [4], { device }), k));
      const g = await onEvery((device) => tidy(() => grad((x) => sum(pow(x, k)))(fromArray(xs, [4], { device }))[0]!));
      // The Hessian's diagonal (an HVP with a ones vector: f is a sum of elementwise terms).
      const h = await onEvery((device) => tidy(() => grad((y) => sum(grad((x) => sum(pow(x, k)))(y)[0]!))(fromArray(xs, [4], { device }))[0]!));
      for (const kind of ['cpu', 'wasm', 'webgpu']) {
        expectClose(
          r[kind]!,
          xs.map((x) => x ** k),
          { rtol: 1e-5, label: `${kind} x^${k}` },
        );
        expectClose(
          g[kind]!,
          xs.map((x) => k * x ** (k - 1)),
          { rtol: 1e-5, label: `${kind} d/dx x^${k}` },
        );
        expectClose(
          h[kind]!,
          xs.map((x) => k * (k - 1) * x ** (k - 2)),
          { rtol: 1e-5, label: `${kind} d2/dx2 x^${k}` },
        );
      }
    }
  });
});

describe('numbers stored in an integer dtype: one rule on every device', () => {
  it('finite numbers in range are truncated toward zero, identically everywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: -(2 ** 31), max: 2 ** 31 - 1, noNaN: true }), { minLength: 1, maxLength: 20 }), async (vs) => {
        const r = await onEvery((device) => fromArray(vs, [vs.length], { device, dtype: 'i32' }));
        const want = vs.map((v) => Math.trunc(v) + 0);
        for (const kind of ['cpu', 'wasm', 'webgpu'])
          expect(
            r[kind]!.map((v) => v + 0),
            kind,
          ).toEqual(want);
      }),
      { numRuns: 20 },
    );
  });

  it('NaN, ±Infinity and out-of-range values are a SaddleError naming the op, the element and the dtype, on every device', async () => {
    const bad: [number[], 'i32' | 'u32', RegExp][] = [
      [[1, NaN], 'i32', /^fromArray: element 1 is NaN; expected a finite number in the range of i32/],
      [[Infinity], 'i32', /^fromArray: element 0 is Infinity; expected a finite number in the range of i32/],
      [[0, 0, -Infinity], 'u32', /^fromArray: element 2 is -Infinity/],
      [[2 ** 32 + 1], 'i32', /^fromArray: element 0 is 4294967297, outside \[-2147483648, 2147483647\]/],
      [[2 ** 31], 'i32', /^fromArray: element 0 is 2147483648, outside/],
      [[-1], 'u32', /^fromArray: element 0 is -1, outside \[0, 4294967295\]; expected a finite number in the range of u32/],
      [[2 ** 32], 'u32', /^fromArray: element 0 is 4294967296, outside/],
    ];
    for (const device of await allDevices()) {
      for (const [values, dtype, re] of bad) {
        expect(() => fromArray(values, [values.length], { device, dtype }), `${device.kind} ${values}`).toThrowError(re);
        expect(() => fromArray(Float64Array.from(values), [values.length], { device, dtype })).toThrowError(SaddleError);
      }
      expect(() => fromArray(Int32Array.from([-1]), [1], { device, dtype: 'u32' })).toThrowError(/^fromArray: element 0 is -1, outside/);
      expect(() => full([2], NaN, { device, dtype: 'i32' })).toThrowError(/^full: element 0 is NaN/);
      expect(() => gather(fromArray([1, 2], [2], { device }), fromArray([NaN], [1], { device, dtype: 'i32' }))).toThrowError(/^fromArray: element 0 is NaN/);
      // The edges of the ranges are fine.
      expect(Array.from(await fromArray([-(2 ** 31), 2 ** 31 - 1, -0.9], [3], { device, dtype: 'i32' }).toArray()).map((v) => v + 0)).toEqual([
        -(2 ** 31),
        2 ** 31 - 1,
        0,
      ]);
      expect(Array.from(await fromArray([0, 2 ** 32 - 1, -0.5], [3], { device, dtype: 'u32' }).toArray())).toEqual([0, 2 ** 32 - 1, 0]);
    }
  });
});

describe('clamp and the comparisons propagate NaN identically on every device', () => {
  const withNaN = fc.array(fc.oneof(fc.float({ noNaN: true, min: f32(-3), max: f32(3) }), fc.constantFrom(NaN, Infinity, -Infinity, 0)), {
    minLength: 1,
    maxLength: 30,
  });

  it('clamp(NaN) is NaN; the comparisons with a NaN operand are 0: the same bits as the CPU on wasm and WebGPU', async () => {
    await fc.assert(
      fc.asyncProperty(withNaN, withNaN, fc.double({ min: -2, max: 0, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), async (a, b0, lo, hi) => {
        const b = a.map((_, i) => b0[i % b0.length]!);
        const n = a.length;
        const cases: [string, (d: Device) => Tensor][] = [
          ['clamp', (d) => clamp(fromArray(a, [n], { device: d }), lo, hi)],
          ['greater', (d) => greater(fromArray(a, [n], { device: d }), fromArray(b, [n], { device: d }))],
          ['greaterEqual', (d) => greaterEqual(fromArray(a, [n], { device: d }), fromArray(b, [n], { device: d }))],
          ['equal', (d) => equal(fromArray(a, [n], { device: d }), fromArray(b, [n], { device: d }))],
          ['equal(x, x)', (d) => equal(fromArray(a, [n], { device: d }), fromArray(a, [n], { device: d }))],
        ];
        for (const [name, fn] of cases) {
          // The sign of a zero is not the question here (WGSL's max may return either zero).
          const r = Object.fromEntries(Object.entries(await onEvery(fn)).map(([k, v]) => [k, v.map((x) => x + 0)]));
          expect(r.wasm, `wasm ${name}`).toEqual(r.cpu);
          expect(r.webgpu, `webgpu ${name}`).toEqual(r.cpu);
          if (name === 'clamp') expect(r.cpu!.map(Number.isNaN)).toEqual(a.map(Number.isNaN));
          if (name === 'equal(x, x)') expect(r.cpu).toEqual(a.map((x) => (Number.isNaN(x) ? 0 : 1)));
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('gather and scatterAdd refuse an index out of range on every device', () => {
  it('a SaddleError naming the op and the range: at once on cpu and wasm, at the next read on WebGPU', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: -3, max: 9 }), { minLength: 1, maxLength: 8 }), async (rows, idx) => {
        const inRange = idx.every((r) => r >= 0 && r < rows);
        for (const device of await allDevices()) {
          const x = fromArray(
            Array.from({ length: rows * 2 }, (_, i) => i),
            [rows, 2],
            { device },
          );
          const indices = fromArray(idx, [idx.length], { device, dtype: 'i32' });
          const src = fromArray(new Array(idx.length * 2).fill(1), [idx.length, 2], { device });
          for (const [op, run] of [
            ['gather', () => gather(x, indices)],
            ['scatterAdd', () => scatterAdd(src, indices, 0, rows)],
          ] as const) {
            const attempt = async () => {
              const y = run();
              try {
                return Array.from(await y.toArray());
              } finally {
                y.dispose();
              }
            };
            if (inRange) {
              await expect(attempt()).resolves.toBeDefined();
            } else {
              const re = new RegExp(`^${op}: index -?\\d+ (\\(position \\d+\\) )?is out of range; expected an integer in \\[0, ${rows}\\)`);
              await expect(attempt(), `${device.kind} ${op} ${idx}`).rejects.toThrowError(re);
            }
          }
          for (const t of [x, indices, src]) t.dispose();
        }
      }),
      { numRuns: 20 },
    );
  });
});
