/**
 * Gradients of gradients: backward({ createGraph: true }), grad(grad(f)), gradgradcheck, and a
 * Hessian-vector product of a small MLP against the finite difference of its gradient.
 */
import { describe, it, expect } from 'vitest';
import {
  add,
  fromArray,
  grad,
  gradgradcheck,
  matmul,
  mul,
  param,
  record,
  shouldRecord,
  sigmoid,
  sigmoidBce,
  sum,
  tanh,
  tidy,
  type Tensor,
} from '@saddle/autograd';
import * as k from '@saddle/ops';
import { NAMED_DEVICES } from '../support/devices.js';
import { expectClose } from '../support/compare.js';
import { data } from '../grad/support.js';

const values = async (t: Tensor | null) => Array.from(await t!.toArray());
const cube = (x: Tensor) => mul(mul(x, x), x);

describe.each(NAMED_DEVICES)('higher-order gradients on %s', (_name, getDevice) => {
  it('backward({ createGraph: true }) leaves a .grad on the tape, and differentiating it gives the second derivative', async () => {
    const device = await getDevice();
    const xs = [-1.5, 0.5, 2];
    const x = param(fromArray(xs, [3], { device }));
    // Both backward passes inside one tidy: the second needs the first's (and the forward's) tensors.
    const g = tidy(() => {
      sum(cube(x)).backward({ createGraph: true });
      const first = x.grad!;
      expect(first.requiresGrad).toBe(true);
      x.grad = null; // keep the first gradient; the next backward starts a fresh .grad
      sum(first).backward();
      return first;
    });
    expectClose(
      await values(g),
      xs.map((v) => 3 * v * v),
      { rtol: 1e-6 },
    );
    expectClose(
      await values(x.grad),
      xs.map((v) => 6 * v),
      { rtol: 1e-6 },
    );
    expect(x.grad!.requiresGrad).toBe(false);
    g.dispose();
    x.dispose();
  });

  it('without createGraph the gradients are plain tensors (nothing recorded)', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2], [2], { device }));
    tidy(() => sum(cube(x)).backward());
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.gradNode).toBe(null);
    x.dispose();
  });

  it('grad(grad(f)) composes, and a third derivative too', async () => {
    const device = await getDevice();
    const xs = [-1.2, 0.3, 0.9];
    const f = (x: Tensor) => sum(mul(sigmoid(x), x));
    // f'(x) = s + x s(1-s); f'' = 2 s(1-s) + x s(1-s)(1-2s)
    const s = xs.map((v) => 1 / (1 + Math.exp(-v)));
    const d2 = xs.map((v, i) => 2 * s[i]! * (1 - s[i]!) + v * s[i]! * (1 - s[i]!) * (1 - 2 * s[i]!));
    const x = fromArray(xs, [3], { device });
    const [h] = tidy(() => grad((y) => sum(grad(f)(y)[0]!))(x));
    expectClose(await values(h!), d2, { rtol: 1e-5, atol: 1e-6 });
    // cube: the third derivative is 6 everywhere.
    const [t] = tidy(() => grad((y) => sum(grad((z) => sum(grad((w) => sum(cube(w)))(z)[0]!))(y)[0]!))(x));
    expectClose(await values(t!), [6, 6, 6], { rtol: 1e-5 });
    for (const r of [h, t, x]) r!.dispose();
  });

  it('grad(grad(f)) of a one-input f is literally the composition', async () => {
    const device = await getDevice();
    const x = fromArray([0.7], [], { device });
    const [h] = tidy(() => grad(grad((y) => cube(y)))(x));
    expectClose(await values(h!), [6 * 0.7], { rtol: 1e-6 });
    h!.dispose();
  });

  it('a Hessian-vector product of a small MLP equals the finite difference of its gradient', async () => {
    const device = await getDevice();
    const dtype = device.kind === 'cpu' ? 'f64' : 'f32';
    const shapes = [[6, 5], [5], [5, 1]] as const;
    const theta = shapes.map((s, i) => Array.from(data([...s], 10 + i).storage.data!));
    const v = shapes.map((s, i) => Array.from(data([...s], 20 + i).storage.data!));
    const x = fromArray(Array.from(data([8, 6], 3).storage.data!), [8, 6], { dtype, device });
    const t = fromArray([1, 0, 1, 1, 0, 0, 1, 0], [8, 1], { dtype, device });
    const loss = (w1: Tensor, b1: Tensor, w2: Tensor) => sigmoidBce(matmul(tanh(matmul(x, w1, { bias: b1 })), w2), t);
    const make = (vals: number[][], shift = 0) =>
      vals.map((a, i) =>
        fromArray(
          a.map((p, j) => p + shift * v[i]![j]!),
          [...shapes[i]!],
          { dtype, device },
        ),
      );
    const gradAt = (ps: Tensor[]) => grad(loss)(...ps);

    // Hv = ∇(∇L · v): one backward with createGraph, then a second through the gradients.
    const params = make(theta);
    const hv = tidy(() => {
      const vs = make(v);
      return grad((...ps: Tensor[]) => {
        const gs = grad(loss, undefined, { createGraph: true })(...ps);
        return gs.map((g, i) => sum(mul(g, vs[i]!))).reduce((acc, d) => add(acc, d));
      })(...params);
    });
    const eps = device.kind === 'cpu' ? 1e-5 : 1e-2;
    const plus = gradAt(make(theta, eps));
    const minus = gradAt(make(theta, -eps));
    for (let i = 0; i < shapes.length; i++) {
      const pm = await values(plus[i]!);
      const mm = await values(minus[i]!);
      const numeric = pm.map((p, j) => (p - mm[j]!) / (2 * eps));
      expect(
        numeric.some((n) => Math.abs(n) > 1e-3),
        `block ${i} of Hv is not all ~0`,
      ).toBe(true);
      expectClose(
        await values(hv[i]!),
        numeric,
        device.kind === 'cpu' ? { rtol: 1e-6, atol: 1e-8, label: `block ${i}` } : { rtol: 3e-2, atol: 2e-3, label: `block ${i}` },
      );
    }
    for (const r of [...hv, ...plus, ...minus, ...params, x, t]) r.dispose();
  });
});

describe('gradgradcheck', () => {
  // cube(x) = x³ recorded as one op, with its rule written two ways.
  const cubeOp = (rule: (g: Tensor, x: Tensor) => Tensor) => (x: Tensor) => {
    const y = k.mul(k.mul(x, x), x);
    return shouldRecord(x) ? record('cube', y, [x], [x], (g, saved) => [rule(g, saved[0] as Tensor)]) : y;
  };
  const x = () => fromArray([-1.3, 0.4, 2.1], [3], { dtype: 'f64' });

  it('passes a rule written in recording ops', async () => {
    const recorded = cubeOp((g, t) => mul(g, mul(mul(t, t), 3)));
    const report = await gradgradcheck((t) => sum(recorded(t)), [x()], { rtol: 1e-6, atol: 1e-7 });
    expect(report.ok, report.summary).toBe(true);
  });

  it('fails a rule that calls kernels directly (its gradient is cut from the tape), and says so', async () => {
    const cut = cubeOp((g, t) => k.mul(g, k.mul(k.mul(t, t), 3)));
    const report = await gradgradcheck((t) => sum(cut(t)), [x()], { rtol: 1e-6, atol: 1e-7 });
    expect(report.ok).toBe(false);
    expect(report.summary).toMatch(/^gradgradcheck FAILED/);
    // The numeric side sees 6x; the cut analytic side sees nothing.
    expect(report.worst!.analytic).toBe(0);
    expect(Math.abs(report.worst!.numeric)).toBeGreaterThan(1);
  });
});
