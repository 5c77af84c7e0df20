import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device, type Tensor } from '@saddle/tensor';
import { sgdMomentumUpdate, sgdMomentumUpdateMany } from '@saddle/ops';
import { allDevices, kernelDevices } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const shapeArb = fc.oneof(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 3 }), fc.constantFrom([1], [255], [257], [1030]));
const vals = (n: number, m: number) => fc.array(fc.float({ min: Math.fround(-m), max: Math.fround(m), noNaN: true }), { minLength: n, maxLength: n });
const hpArb = fc.record({
  lr: fc.oneof(fc.constantFrom(0, 0.1, 1e-4), fc.double({ min: 0, max: 2, noNaN: true })),
  momentum: fc.oneof(fc.constantFrom(0, 0.5, 0.7, 0.99), fc.double({ min: 0, max: 1, noNaN: true })),
  weightDecay: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
});

/** The update written out in plain JS doubles, as the reference. */
function reference(p: number[], g: number[], v: number[], hp: { lr: number; momentum: number; weightDecay: number }) {
  const vn = v.map((vi, i) => hp.momentum * vi - hp.lr * (g[i]! + hp.weightDecay * p[i]!));
  return { p: p.map((pi, i) => pi + vn[i]!), v: vn };
}

describe('sgdMomentumUpdate', () => {
  it('matches the CPU twin and the formula, in place, over several steps (wasm: bit for bit)', async () => {
    const devices = await allDevices();
    await fc.assert(
      fc.asyncProperty(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), vals(size(s), 10), vals(size(s), 10), vals(size(s), 1))),
        hpArb,
        async ([shape, p0, g, v0], hp) => {
          const state: Record<string, { p: Tensor; v: Tensor; g: Tensor }> = {};
          for (const device of devices) {
            const p = fromArray(p0, shape, { device });
            const v = fromArray(v0, shape, { device });
            const gt = fromArray(g, shape, { device });
            for (let step = 0; step < 3; step++) sgdMomentumUpdate(p, gt, v, hp);
            state[device.kind] = { p, v, g: gt };
          }
          let want = { p: Array.from(Float32Array.from(p0)), v: Array.from(Float32Array.from(v0)) };
          for (let step = 0; step < 3; step++) want = reference(want.p, g, want.v, hp);
          const cp = await state.cpu!.p.toArray();
          const cv = await state.cpu!.v.toArray();
          // Three steps of f32 rounding; magnitudes are at most ~100.
          expectClose(await state.webgpu!.p.toArray(), cp, { atol: 2e-5, rtol: 1e-5, label: 'param' });
          expectClose(await state.webgpu!.v.toArray(), cv, { atol: 2e-5, rtol: 1e-5, label: 'velocity' });
          expectClose(cp, want.p, { atol: 2e-5, rtol: 1e-5, label: 'cpu param vs formula' });
          expectClose(cv, want.v, { atol: 2e-5, rtol: 1e-5, label: 'cpu velocity vs formula' });
          // wasm computes v in f64 from the f64 hyperparameters, as the CPU twin does: the same bits.
          expect(await state.wasm!.p.toArray()).toEqual(cp);
          expect(await state.wasm!.v.toArray()).toEqual(cv);
          // The gradient is read, not written.
          expect(Array.from(await state.webgpu!.g.toArray())).toEqual(Array.from(Float32Array.from(g)));
          expect(Array.from(await state.wasm!.g.toArray())).toEqual(Array.from(Float32Array.from(g)));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('is exact in f64 on the CPU', async () => {
    const p = fromArray([1, -2, 0.5], [3], { device: cpu, dtype: 'f64' });
    const v = fromArray([0.1, 0, -0.3], [3], { device: cpu, dtype: 'f64' });
    const g = fromArray([0.3, 0.7, -1.1], [3], { device: cpu, dtype: 'f64' });
    const hp = { lr: 0.1, momentum: 0.7, weightDecay: 0.01 };
    sgdMomentumUpdate(p, g, v, hp);
    const want = reference([1, -2, 0.5], [0.3, 0.7, -1.1], [0.1, 0, -0.3], hp);
    expect(Array.from(await p.toArray())).toEqual(want.p);
    expect(Array.from(await v.toArray())).toEqual(want.v);
  });

  it('reads a strided gradient (a transposed view)', async () => {
    for (const device of await allDevices()) {
      const p = fromArray([0, 0, 0, 0, 0, 0], [3, 2], { device });
      const v = fromArray([0, 0, 0, 0, 0, 0], [3, 2], { device });
      const g = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device }).view([3, 2], [1, 3], 0);
      sgdMomentumUpdate(p, g, v, { lr: 1, momentum: 0.9 });
      expect(Array.from(await p.toArray())).toEqual([-1, -4, -2, -5, -3, -6]);
    }
  });

  it('sgdMomentumUpdateMany updates every triple', async () => {
    for (const gpu of await kernelDevices()) {
      const shapes = [[3], [2, 5], [257]];
      const make = (s: number[], f: (i: number) => number) =>
        fromArray(
          Array.from({ length: size(s) }, (_, i) => f(i)),
          s,
          { device: gpu },
        );
      const ps = shapes.map((s) => make(s, (i) => i));
      const gs = shapes.map((s) => make(s, (i) => 1 - i / 100));
      const vs = shapes.map((s) => make(s, (i) => (i % 3) / 10));
      const hp = { lr: 0.05, momentum: 0.5, weightDecay: 0.001 };
      sgdMomentumUpdateMany(ps, gs, vs, hp);
      for (let k = 0; k < shapes.length; k++) {
        const n = size(shapes[k]!);
        const want = reference(
          Array.from({ length: n }, (_, i) => i),
          Array.from({ length: n }, (_, i) => Math.fround(1 - i / 100)),
          Array.from({ length: n }, (_, i) => Math.fround((i % 3) / 10)),
          hp,
        );
        expectClose(await ps[k]!.toArray(), want.p, { atol: 1e-5, rtol: 1e-6 });
        expectClose(await vs[k]!.toArray(), want.v, { atol: 1e-6, rtol: 1e-5 });
      }
    }
  });

  it('rejects mismatched, strided, aliased and disposed inputs with clear errors', async () => {
    for (const gpu of await kernelDevices()) {
      const t = (s: number[], device: Device = gpu, dtype: 'f32' | 'i32' = 'f32') => fromArray(new Array(size(s)).fill(1), s, { device, dtype });
      const hp = { lr: 0.1, momentum: 0.9 };
      expect(() => sgdMomentumUpdate(t([2, 3]), t([3, 2]), t([2, 3]), hp)).toThrowError(
        /sgdMomentumUpdate: grad has shape \[3, 2\] but param has \[2, 3\]; expected equal shapes/,
      );
      expect(() => sgdMomentumUpdate(t([2, 3]), t([2, 3]), t([6]), hp)).toThrowError(/velocity has shape \[6\]/);
      expect(() => sgdMomentumUpdate(t([2]), t([2], cpu), t([2]), hp)).toThrowError(/sgdMomentumUpdate: inputs are on different devices/);
      expect(() => sgdMomentumUpdate(t([2]), t([2], gpu, 'i32'), t([2]), hp)).toThrowError(/sgdMomentumUpdate: dtypes differ/);
      expect(() => sgdMomentumUpdate(t([2], gpu, 'i32'), t([2], gpu, 'i32'), t([2], gpu, 'i32'), hp)).toThrowError(/param has dtype i32; expected f32 or f64/);
      const big = t([2, 3]);
      expect(() => sgdMomentumUpdate(big.view([3, 2], [1, 3], 0), t([3, 2]), t([3, 2]), hp)).toThrowError(
        /param \[3, 2\] is a strided view; expected a dense tensor/,
      );
      const p = t([4]);
      expect(() => sgdMomentumUpdate(p, p, t([4]), hp)).toThrowError(/share storage/);
      expect(() => sgdMomentumUpdate(t([2]), t([2]), t([2]), { lr: NaN, momentum: 0.9 })).toThrowError(
        /sgdMomentumUpdate: lr is NaN; expected a finite number/,
      );
      expect(() => sgdMomentumUpdateMany([t([2])], [t([2]), t([2])], [t([2])], hp)).toThrowError(/got 1 params, 2 grads and 1 velocities/);
      expect(() => sgdMomentumUpdateMany([t([2]), t([3])], [t([2]), t([2])], [t([2]), t([3])], hp)).toThrowError(/tensor 1: grad has shape \[2\]/);
      const d = t([2]);
      d.dispose();
      expect(() => sgdMomentumUpdate(d, t([2]), t([2]), hp)).toThrowError(SaddleError);
      // A failed many-update touches nothing.
      const p1 = t([2]);
      const v1 = t([2]);
      expect(() => sgdMomentumUpdateMany([p1, t([3])], [t([2]), t([2])], [v1, t([3])], hp)).toThrowError(SaddleError);
      expect(Array.from(await p1.toArray())).toEqual([1, 1]);
    }
  });
});
