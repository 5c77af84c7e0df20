/**
 * The fused moving-average update (emaUpdate: target = decay·target + (1 − decay)·source): the CPU
 * twin against the float64 formula, wasm bit for bit the twin (1 and 2 threads), WebGPU within f32
 * roundings of it; views as the source; the same errors on every device.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fromArray, SaddleError, Tensor } from '@saddle/tensor';
import { emaUpdate, transpose } from '@saddle/ops';
import { allDevices, kernelDevices, wasm } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
// Lengths around the SIMD width (4) and the threads' 16-aligned split, and empty tensors.
const shapeArb = fc.oneof(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 0, maxLength: 3 }), fc.constantFrom([1], [3], [5], [17], [255], [1030]));
const vals = (n: number, m: number) => fc.array(fc.float({ min: Math.fround(-m), max: Math.fround(m), noNaN: true }), { minLength: n, maxLength: n });
const decayArb = fc.oneof(fc.constantFrom(0, 0.5, 0.9, 0.999, 0.9999), fc.double({ min: 0, max: 0.99999, noNaN: true }));

describe('emaUpdate', () => {
  it('is decay·t + (1 − decay)·s on every device, three steps (CPU: the float64 formula rounded once; wasm: bit for bit the CPU twin; WebGPU: within f32 roundings)', async () => {
    const devices = [...(await allDevices()), await wasm(1)];
    await fc.assert(
      fc.asyncProperty(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), vals(size(s), 4), vals(size(s), 4), vals(size(s), 4), vals(size(s), 4))),
        decayArb,
        async ([shape, t0, s1, s2, s3], decay) => {
          const sources = [s1, s2, s3];
          const got: Tensor[] = [];
          for (const device of devices) {
            const t = fromArray(t0, shape, { device });
            for (const s of sources) {
              const st = fromArray(s, shape, { device });
              emaUpdate(t, st, decay);
              st.dispose();
            }
            got.push(t);
          }
          // The float64 formula, rounded to f32 after each step as the stored tensor is.
          let want = Float32Array.from(t0);
          for (const s of sources) want = want.map((x, i) => Math.fround(decay * x + (1 - decay) * Math.fround(s[i]!)));
          const [c, ...rest] = await Promise.all(got.map((t) => t.toArray()));
          expect(Array.from(c!)).toEqual(Array.from(want));
          devices.slice(1).forEach((d, i) => {
            if (d.kind === 'wasm') expect(Array.from(rest[i]!), d.name).toEqual(Array.from(c!));
            // Per step five f32 roundings (decay and 1 − decay to f32, two products, the sum), each
            // within eps32/2 = 2^-24 of values of magnitude <= 4; three steps.
            else expectClose(rest[i]!, c!, { atol: 3 * 5 * 4 * 2 ** -24, rtol: 0, label: d.name });
          });
          got.forEach((t) => t.dispose());
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reads a strided view as the source; decay 0 copies it exactly', async () => {
    for (const device of await kernelDevices()) {
      const s = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device });
      const t = fromArray([0, 0, 0, 0, 0, 0], [3, 2], { device });
      emaUpdate(t, transpose(s), 0);
      expect(Array.from(await t.toArray()), device.name).toEqual([1, 4, 2, 5, 3, 6]);
      emaUpdate(t, transpose(s), 0.5);
      expect(Array.from(await t.toArray()), device.name).toEqual([1, 4, 2, 5, 3, 6]);
      [s, t].forEach((x) => x.dispose());
    }
  });

  it('bad input gets the same errors on every device', async () => {
    for (const d of await kernelDevices()) {
      const f = (shape: number[], dtype: 'f32' | 'i32' = 'f32') => Tensor.empty(shape, dtype, d);
      const t = f([2, 3]);
      expect(() => emaUpdate(t, f([2, 3]), 1)).toThrowError(/^emaUpdate: decay is 1; expected a number in \[0, 1\)/);
      expect(() => emaUpdate(t, f([2, 3]), Number.NaN)).toThrowError(SaddleError);
      expect(() => emaUpdate(t, f([3, 2]), 0.5)).toThrowError(/^emaUpdate: source has shape \[3, 2\] but target has \[2, 3\]; expected equal shapes/);
      expect(() => emaUpdate(f([2, 3], 'i32'), f([2, 3], 'i32'), 0.5)).toThrowError(/^emaUpdate: target has dtype i32; expected f32 or f64/);
      expect(() => emaUpdate(transpose(f([3, 2])), f([2, 3]), 0.5)).toThrowError(/^emaUpdate: target \[2, 3\] is a strided view; expected a dense tensor/);
      expect(() => emaUpdate(t, t, 0.5)).toThrowError(/^emaUpdate: target and source share storage; expected 2 separate tensors/);
    }
  });
});
