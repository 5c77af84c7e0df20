/**
 * log1p, expm1 and logSigmoid on the real adapter: relative accuracy where the textbook forms
 * cancel (tiny arguments), which a compiler that folds (1 + u) - 1 to u would expose. The wasm
 * kernels (kernels-wasm/assembly/shared/math.ts) run the same series; the bound 4e-6 (about 32
 * f32 ulps) is the WebGPU one, loose for wasm's ~2 ulps but well below the textbook forms' errors
 * (100% relative at 1e-10). 1 and 2 wasm threads agree bit for bit: elementwise.test.ts.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device } from '@saddle/tensor';
import { expm1, log1p, logSigmoid } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  ['wasm', () => wasm()],
];

/** Magnitudes spread over 1e-12 .. 1e2, either sign: every regime of the branches. */
const spread = (n: number, maxExp: number) =>
  fc.array(
    fc.tuple(fc.double({ min: -12, max: maxExp, noNaN: true }), fc.boolean()).map(([e, neg]) => Math.fround((neg ? -1 : 1) * 10 ** e)),
    { minLength: n, maxLength: n },
  );

describe.each(devices)('log1p, expm1, logSigmoid on %s', (_name, getDevice) => {
  it('log1p and expm1 have small relative error at every magnitude, tiny arguments included', async () => {
    const device = await getDevice();
    // The CPU twin runs in doubles on f32 tensors: one rounding of the result.
    const rtol = device.kind === 'cpu' ? 2e-7 : 4e-6;
    await fc.assert(
      fc.asyncProperty(spread(64, 2), async (xs) => {
        const l = xs.map((v) => Math.fround(Math.max(v, -0.999)));
        expectClose(await log1p(fromArray(l, [64], { device })).toArray(), l.map(Math.log1p), { rtol, atol: 0, label: 'log1p' });
        const e = xs.map((v) => Math.fround(Math.min(v, 40)));
        expectClose(await expm1(fromArray(e, [64], { device })).toArray(), e.map(Math.expm1), { rtol, atol: 0, label: 'expm1' });
      }),
      { numRuns: 20 },
    );
  });

  it('log1p(u) is not u - u (the cancellation a folded (1 + u) - 1 gives) for u = 1e-10', async () => {
    const device = await getDevice();
    const got = Array.from(await log1p(fromArray([1e-10, -1e-10, 3e-8], [3], { device })).toArray());
    expectClose(got, [1e-10, -1e-10, 3e-8].map(Math.fround).map(Math.log1p), { rtol: 1e-6, atol: 0 });
    const em = Array.from(await expm1(fromArray([1e-10, -3e-8], [2], { device })).toArray());
    expectClose(em, [1e-10, -3e-8].map(Math.fround).map(Math.expm1), { rtol: 1e-6, atol: 0 });
  });

  it('logSigmoid is finite everywhere, relative-accurate for large positive logits and exact for large negative ones', async () => {
    const device = await getDevice();
    const xs = [-100, -30, -1, 0, 1, 20, 30, 60];
    const want = xs.map((x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))));
    const got = Array.from(await logSigmoid(fromArray(xs, [xs.length], { device })).toArray());
    expect(got.every(Number.isFinite)).toBe(true);
    expectClose(got, want, { rtol: device.kind === 'cpu' ? 2e-7 : 4e-6, atol: 0 });
    expect(got[6]).toBeLessThan(0); // log σ(30) = -9.4e-14, not 0
  });

  it('the twins agree with the kernels on random inputs of every magnitude', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(spread(32, 2), async (xs) => {
        const want = xs.map((x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))));
        expectClose(await logSigmoid(fromArray(xs, [32], { device })).toArray(), want, { rtol: device.kind === 'cpu' ? 2e-7 : 4e-6, atol: 1e-30 });
      }),
      { numRuns: 10 },
    );
  });
});
