/**
 * The fused Adam / AdamW update (adamUpdate): the CPU twin, wasm (bit for bit the twin) and WebGPU
 * (f32, close to the twin), all against the update written out in float64 from the paper's
 * formulas, over a few steps for random shapes and hyperparameters and over many steps of a fixed
 * problem.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device, type Tensor } from '@saddle/tensor';
import { adamUpdate, type AdamHyperparams } from '@saddle/ops';
import { allDevices, kernelDevices } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const shapeArb = fc.oneof(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 3 }), fc.constantFrom([1], [3], [255], [257], [1030]));
const vals = (n: number, m: number) => fc.array(fc.float({ min: Math.fround(-m), max: Math.fround(m), noNaN: true }), { minLength: n, maxLength: n });
const hpArb = fc.record({
  lr: fc.oneof(fc.constantFrom(1e-3, 0.01), fc.double({ min: 0, max: 0.1, noNaN: true })),
  beta1: fc.oneof(fc.constantFrom(0, 0.9), fc.double({ min: 0, max: 0.99, noNaN: true })),
  beta2: fc.oneof(fc.constantFrom(0.999, 0.9), fc.double({ min: 0.5, max: 0.9999, noNaN: true })),
  eps: fc.constantFrom(1e-8, 1e-6, 1e-3),
  weightDecay: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
  decoupled: fc.boolean(),
});

type Hp = Omit<AdamHyperparams, 'step'>;

/**
 * Adam as Kingma & Ba write it (and AdamW as Loshchilov & Hutter), in float64, not folded the way
 * the kernels fold it: bias-corrected moments m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ), then
 * p −= lr · m̂ / (√v̂ + eps).
 */
function reference(state: { p: number[]; m: number[]; v: number[] }, g: readonly number[], hp: Hp, t: number) {
  const wd = hp.weightDecay ?? 0;
  const p = state.p.map((w) => (hp.decoupled ? w - hp.lr * wd * w : w));
  const gi = g.map((x, i) => (hp.decoupled ? x : x + wd * state.p[i]!));
  const m = state.m.map((mi, i) => hp.beta1 * mi + (1 - hp.beta1) * gi[i]!);
  const v = state.v.map((vi, i) => hp.beta2 * vi + (1 - hp.beta2) * gi[i]! ** 2);
  return {
    p: p.map((w, i) => w - (hp.lr * (m[i]! / (1 - hp.beta1 ** t))) / (Math.sqrt(v[i]! / (1 - hp.beta2 ** t)) + hp.eps)),
    m,
    v,
  };
}

/** Deterministic gradients for step t: in [-2, 2], f32-exact, changing with the step. */
const gradAt = (n: number, t: number) => Array.from({ length: n }, (_, i) => Math.fround(2 * Math.sin(1.3 * i + 0.7 * t + 0.1 * i * t)));

describe('adamUpdate', () => {
  it('matches the float64 formula over several steps on every device (wasm: bit for bit the CPU twin)', async () => {
    const devices = await allDevices();
    await fc.assert(
      fc.asyncProperty(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), vals(size(s), 3), vals(size(s), 2))),
        hpArb,
        async ([shape, p0, g0], hp) => {
          const n = size(shape);
          const grads = [g0.map((x) => Math.fround(x)), gradAt(n, 1), gradAt(n, 2)];
          const got: Record<string, { p: Tensor; m: Tensor; v: Tensor }> = {};
          for (const device of devices) {
            const p = fromArray(p0, shape, { device });
            const m = fromArray(new Array(n).fill(0), shape, { device });
            const v = fromArray(new Array(n).fill(0), shape, { device });
            grads.forEach((g, t) => {
              const gt = fromArray(g, shape, { device });
              adamUpdate(p, gt, m, v, { ...hp, step: t + 1 });
              gt.dispose();
            });
            got[device.kind] = { p, m, v };
          }
          let want = { p: Array.from(Float32Array.from(p0)), m: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0) };
          grads.forEach((g, t) => (want = reference(want, g, hp, t + 1)));
          const c = { p: await got.cpu!.p.toArray(), m: await got.cpu!.m.toArray(), v: await got.cpu!.v.toArray() };
          // Three updates of at most ~lr/(1 − β1) each, rounded in f32.
          const tol = { atol: 1e-5, rtol: 1e-5 };
          expectClose(c.p, want.p, { ...tol, label: 'cpu param vs float64' });
          expectClose(c.m, want.m, { ...tol, label: 'cpu m vs float64' });
          expectClose(c.v, want.v, { ...tol, label: 'cpu v vs float64' });
          expectClose(await got.webgpu!.p.toArray(), c.p, { ...tol, label: 'webgpu param' });
          expectClose(await got.webgpu!.m.toArray(), c.m, { ...tol, label: 'webgpu m' });
          expectClose(await got.webgpu!.v.toArray(), c.v, { ...tol, label: 'webgpu v' });
          expect(await got.wasm!.p.toArray()).toEqual(c.p);
          expect(await got.wasm!.m.toArray()).toEqual(c.m);
          expect(await got.wasm!.v.toArray()).toEqual(c.v);
          for (const s of Object.values(got)) [s.p, s.m, s.v].forEach((t) => t.dispose());
        },
      ),
      {
        numRuns: 12,
        // Found by CI (seed 1710919701): beta2 near 1 made WebGPU drift by 1e-5 while the kernel
        // computed 1 - beta2 from the f32 beta2; the host now passes 1 - beta2 ready-made.
        examples: [[[[], [0], [0]], { lr: 0.04375770587316307, beta1: 0, beta2: 0.9998342096505216, eps: 1e-6, weightDecay: 0, decoupled: false }]],
      },
    );
  });

  it('tracks the float64 reference over 300 steps on every device, Adam and AdamW', async () => {
    const n = 37;
    const steps = 300;
    const p0 = Array.from({ length: n }, (_, i) => Math.fround(Math.cos(i) * 1.5));
    for (const hp of [
      { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: false },
      { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, decoupled: true },
    ]) {
      let want = { p: p0.slice(), m: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0) };
      // A quadratic bowl around 0.5 plus a wobble: the gradient depends on the parameters, so an
      // error in any step would feed into the next ones.
      const grad = (p: ArrayLike<number>, t: number) => Array.from({ length: n }, (_, i) => Math.fround(p[i]! - 0.5 + 0.3 * Math.sin(0.9 * i + 0.2 * t)));
      for (let t = 1; t <= steps; t++) want = reference(want, grad(want.p, t), hp, t);
      for (const device of await allDevices()) {
        const p = fromArray(p0, [n], { device });
        const m = fromArray(new Array(n).fill(0), [n], { device });
        const v = fromArray(new Array(n).fill(0), [n], { device });
        for (let t = 1; t <= steps; t++) {
          const g = fromArray(grad(await p.toArray(), t), [n], { device });
          adamUpdate(p, g, m, v, { ...hp, step: t });
          g.dispose();
        }
        // 300 steps of f32 rounding on values of magnitude ~1.
        expectClose(await p.toArray(), want.p, { atol: 2e-5, rtol: 2e-5, label: `${device.kind} ${hp.decoupled ? 'AdamW' : 'Adam'} param` });
        expectClose(await m.toArray(), want.m, { atol: 2e-5, rtol: 1e-4, label: `${device.kind} m` });
        expectClose(await v.toArray(), want.v, { atol: 2e-6, rtol: 1e-4, label: `${device.kind} v` });
        // The parameters did move towards the bowl's bottom.
        expect(Math.abs((await p.toArray())[0]! - 0.5)).toBeLessThan(Math.abs(p0[0]! - 0.5));
        [p, m, v].forEach((x) => x.dispose());
      }
    }
  });

  it('is the float64 formula in f64 on the CPU (to the last few ulps), over 100 steps', async () => {
    const n = 5;
    const hp = { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.02, decoupled: false };
    const p = fromArray([1, -2, 0.5, 3, -0.25], [n], { device: cpu, dtype: 'f64' });
    const m = fromArray(new Array(n).fill(0), [n], { device: cpu, dtype: 'f64' });
    const v = fromArray(new Array(n).fill(0), [n], { device: cpu, dtype: 'f64' });
    let want = { p: [1, -2, 0.5, 3, -0.25], m: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0) };
    for (let t = 1; t <= 100; t++) {
      const g = gradAt(n, t);
      want = reference(want, g, hp, t);
      adamUpdate(p, fromArray(g, [n], { device: cpu, dtype: 'f64' }), m, v, { ...hp, step: t });
    }
    expectClose(await p.toArray(), want.p, { atol: 1e-13, rtol: 1e-12 });
    expectClose(await m.toArray(), want.m, { atol: 1e-14, rtol: 1e-12 });
  });

  it("the first step moves every element by lr against its gradient's sign (the bias correction)", async () => {
    for (const device of await allDevices()) {
      const p = fromArray([0, 0, 0, 0], [4], { device });
      const m = fromArray([0, 0, 0, 0], [4], { device });
      const v = fromArray([0, 0, 0, 0], [4], { device });
      adamUpdate(p, fromArray([3, -0.001, 100, -7], [4], { device }), m, v, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-12, step: 1 });
      expectClose(await p.toArray(), [-0.1, 0.1, -0.1, 0.1], { atol: 1e-6, rtol: 1e-5, label: device.kind });
    }
  });

  it('AdamW decays the weight by lr·weightDecay, apart from the gradient; Adam adds it to the gradient', async () => {
    for (const device of await allDevices()) {
      // A zero gradient: AdamW shrinks p by the factor 1 − lr·wd and leaves the moments at 0; Adam
      // sees the gradient wd·p and moves p by lr against its sign.
      const mk = (x: number[]) => fromArray(x, [x.length], { device });
      const pw = mk([2, -4]);
      const mw = mk([0, 0]);
      const vw = mk([0, 0]);
      adamUpdate(pw, mk([0, 0]), mw, vw, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5, decoupled: true, step: 1 });
      expectClose(await pw.toArray(), [2 * 0.95, -4 * 0.95], { atol: 1e-6, label: `${device.kind} AdamW` });
      expect(Array.from(await mw.toArray())).toEqual([0, 0]);
      const pa = mk([2, -4]);
      const ma = mk([0, 0]);
      adamUpdate(pa, mk([0, 0]), ma, mk([0, 0]), { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5, step: 1 });
      expectClose(await pa.toArray(), [1.9, -3.9], { atol: 1e-6, label: `${device.kind} Adam` });
      expectClose(await ma.toArray(), [0.1, -0.2], { atol: 1e-7, label: `${device.kind} Adam m` });
    }
  });

  it('reads a strided gradient (a transposed view)', async () => {
    for (const device of await allDevices()) {
      const z = () => fromArray([0, 0, 0, 0, 0, 0], [3, 2], { device });
      const p = z();
      const g = fromArray([1, -2, 3, -4, 5, -6], [2, 3], { device }).view([3, 2], [1, 3], 0);
      adamUpdate(p, g, z(), z(), { lr: 1, beta1: 0.9, beta2: 0.999, eps: 0, step: 1 });
      expectClose(await p.toArray(), [-1, 1, 1, -1, -1, 1], { atol: 1e-6, label: device.kind });
    }
  });

  it('rejects bad hyperparameters and mismatched, strided, aliased and disposed tensors, naming the op', async () => {
    const hp = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 };
    for (const device of await kernelDevices()) {
      const t = (s: number[], d: Device = device, dtype: 'f32' | 'i32' = 'f32') => fromArray(new Array(size(s)).fill(1), s, { device: d, dtype });
      for (const [bad, re] of [
        [{ lr: -1 }, /adamUpdate: lr is -1; expected a finite number >= 0/],
        [{ lr: NaN }, /adamUpdate: lr is NaN/],
        [{ beta1: 1 }, /adamUpdate: beta1 is 1; expected a number in \[0, 1\)/],
        [{ beta2: -0.1 }, /adamUpdate: beta2 is -0.1/],
        [{ eps: Infinity }, /adamUpdate: eps is Infinity/],
        [{ weightDecay: -0.01 }, /adamUpdate: weightDecay is -0.01/],
        [{ step: 0 }, /adamUpdate: step is 0; expected a positive integer/],
        [{ step: 1.5 }, /adamUpdate: step is 1.5/],
      ] as const) {
        expect(() => adamUpdate(t([2]), t([2]), t([2]), t([2]), { ...hp, ...bad })).toThrowError(re);
      }
      expect(() => adamUpdate(t([2, 3]), t([3, 2]), t([2, 3]), t([2, 3]), hp)).toThrowError(
        /adamUpdate: grad has shape \[3, 2\] but param has \[2, 3\]; expected equal shapes/,
      );
      expect(() => adamUpdate(t([2, 3]), t([2, 3]), t([2, 3]), t([6]), hp)).toThrowError(/adamUpdate: v has shape \[6\]/);
      expect(() => adamUpdate(t([2]), t([2]), t([2], cpu), t([2]), hp)).toThrowError(/adamUpdate: inputs are on different devices/);
      expect(() => adamUpdate(t([2]), t([2], device, 'i32'), t([2]), t([2]), hp)).toThrowError(/adamUpdate: dtypes differ/);
      expect(() => adamUpdate(t([2, 3]).view([3, 2], [1, 3], 0), t([3, 2]), t([3, 2]), t([3, 2]), hp)).toThrowError(
        /adamUpdate: param \[3, 2\] is a strided view/,
      );
      const m = t([2]);
      expect(() => adamUpdate(t([2]), t([2]), m, m, hp)).toThrowError(/adamUpdate: param, grad, m and v share storage; expected 4 separate tensors/);
      const d = t([2]);
      d.dispose();
      expect(() => adamUpdate(t([2]), t([2]), t([2]), d, hp)).toThrowError(SaddleError);
      // Nothing was written by a refused call.
      const p = t([2]);
      expect(() => adamUpdate(p, t([2]), t([2]), t([3]), hp)).toThrowError(SaddleError);
      expect(Array.from(await p.toArray())).toEqual([1, 1]);
    }
  });
});
