import { describe, it, expect } from 'vitest';
import {
  add,
  cpu,
  detach,
  enableGrad,
  exp,
  fromArray,
  grad,
  isGradEnabled,
  isLeaf,
  keep,
  matmul,
  memory,
  mul,
  noGrad,
  ones,
  param,
  relu,
  requiresGrad,
  SaddleError,
  sigmoid,
  square,
  sum,
  tensor,
  tidy,
  valueAndGrad,
  zeroGrad,
  type Tensor,
} from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

const values = async (t: Tensor | null) => Array.from(await t!.toArray());

describe.each(NAMED_DEVICES)('the tape on %s', (_name, getDevice) => {
  it('records only when an input requires grad, and backward fills .grad of the leaves', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2, 3], [3], { device }));
    const c = fromArray([4, 5, 6], [3], { device });
    expect(mul(c, c).requiresGrad).toBe(false);
    expect(mul(c, c).gradNode).toBe(null);
    const y = sum(mul(x, c));
    expect(y.requiresGrad).toBe(true);
    expect(isLeaf(x)).toBe(true);
    expect(isLeaf(y)).toBe(false);
    y.backward();
    expect(await values(x.grad)).toEqual([4, 5, 6]);
    expect(c.grad).toBe(null);
    expect(y.grad).toBe(null);
  });

  it('a tensor used twice (and along a diamond) gets the sum of its gradients', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, -2, 3], [3], { device }));
    // y = sum(x*x + 3x): both operands of mul are x, and x feeds two branches.
    sum(add(mul(x, x), mul(x, 3))).backward();
    expect(await values(x.grad)).toEqual([5, -1, 9]);
    // A diamond: h = relu(x) feeds both a and b; z = sum(a*b) with a = h*2, b = h+1.
    const w = param(fromArray([1, -1, 2], [3], { device }));
    const h = relu(w);
    sum(mul(mul(h, 2), add(h, 1))).backward();
    // d/dh (2h(h+1)) = 4h + 2 where h > 0, else 0.
    expect(await values(w.grad)).toEqual([6, 0, 10]);
  });

  it('gradients accumulate across backward calls until zeroGrad, and the old .grad is disposed', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2], [2], { device }));
    sum(mul(x, x)).backward();
    const first = x.grad!;
    sum(mul(x, 3)).backward();
    expect(first.isDisposed).toBe(true);
    expect(await values(x.grad)).toEqual([5, 7]);
    const second = x.grad!;
    zeroGrad([x]);
    expect(second.isDisposed).toBe(true);
    expect(x.grad).toBe(null);
    sum(x).backward();
    expect(await values(x.grad)).toEqual([1, 1]);
  });

  it('noGrad records nothing; enableGrad turns recording back on inside it; both restore the mode, even on a throw', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2], [2], { device }));
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const inner = enableGrad(() => mul(x, x));
      expect(inner.requiresGrad).toBe(true);
      expect(isGradEnabled()).toBe(false);
      return mul(x, x);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradNode).toBe(null);
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(async () => mul(x, x))).toThrow(/synchronous/);
    expect(isGradEnabled()).toBe(true);
  });

  it('detach shares the data and stops the gradient', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2, 3], [3], { device }));
    const h = mul(x, x);
    const d = detach(h);
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(h.storage);
    // y = sum(x * detach(x²)): the gradient through the detached factor is cut, so dy/dx = x².
    sum(mul(x, d)).backward();
    expect(await values(x.grad)).toEqual([1, 4, 9]);
  });

  it('grad(fn) and valueAndGrad(fn): gradients as new tensors, no .grad written, inputs untouched', async () => {
    const device = await getDevice();
    const w = param(fromArray([0.5, -1], [2], { device }));
    const f = (x: Tensor, y: Tensor) => sum(mul(mul(x, y), w)); // closes over a parameter
    const x = fromArray([1, 2], [2], { device });
    const y = fromArray([3, 4], [2], { device });
    const [gx, gy] = grad(f)(x, y);
    expect(await values(gx!)).toEqual([1.5, -4]);
    expect(await values(gy!)).toEqual([0.5, -2]);
    expect(w.grad).toBe(null);
    expect(x.requiresGrad).toBe(false);
    expect(x.grad).toBe(null);
    const { value, grads } = valueAndGrad(f, [1])(x, y);
    expect(await value.item()).toBe(1.5 - 8);
    expect(value.requiresGrad).toBe(false);
    expect(grads.length).toBe(1);
    expect(await values(grads[0]!)).toEqual([0.5, -2]);
    // An input the value does not depend on gets zeros; a non-scalar value is an error.
    const [g0, g1] = grad((a: Tensor, _b: Tensor) => sum(square(a)))(x, y);
    expect(await values(g0!)).toEqual([2, 4]);
    expect(await values(g1!)).toEqual([0, 0]);
    expect(() => grad((a: Tensor) => mul(a, 2))(x)).toThrow(/one-element tensor/);
  });

  it('a second backward through a freed graph is a clear error; retainGraph keeps it', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2], [2], { device }));
    const y = sum(exp(x));
    y.backward();
    expect(() => y.backward()).toThrow(SaddleError);
    expect(() => y.backward()).toThrow(/graph was freed.*retainGraph/s);
    // The failed call did nothing: .grad is still that of the first backward.
    expectClose(await values(x.grad), [Math.E, Math.E ** 2], { rtol: 1e-6 });

    const z = sum(exp(x));
    zeroGrad([x]);
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expectClose(await values(x.grad), [2 * Math.E, 2 * Math.E ** 2], { rtol: 1e-6 });
    expect(() => z.backward()).toThrow(/graph was freed/);
  });

  it('backward(seed) from a non-scalar tensor; the caller keeps the seed', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2, 3, 4], [2, 2], { device }));
    const y = mul(x, x);
    expect(() => y.backward()).toThrow(/one-element tensor.*\[2, 2\]/s);
    const seed = fromArray([1, 0, -1, 0.5], [2, 2], { device });
    expect(() => y.backward(fromArray([1, 2], [2], { device }))).toThrow(/seed is \[2\]/);
    y.backward(seed);
    expect(await values(x.grad)).toEqual([2, 0, -6, 4]);
    expect(seed.isDisposed).toBe(false);
    expect(await values(seed)).toEqual([1, 0, -1, 0.5]);
    // A one-element tensor of any rank is a valid root without a seed.
    const v = param(fromArray([3], [1, 1], { device }));
    mul(v, v).backward();
    expect(await values(v.grad)).toEqual([6]);
  });

  it('backward from a leaf itself, and from a tensor that requires no grad', async () => {
    const device = await getDevice();
    const x = param(fromArray([5], [], { device }));
    x.backward();
    expect(await values(x.grad)).toEqual([1]);
    const c = fromArray([1], [], { device });
    expect(() => c.backward()).toThrow(/does not require grad/);
    expect(() => noGrad(() => mul(x, 2)).backward()).toThrow(/does not require grad/);
  });

  it('a saved tensor disposed before backward is a clear error naming the op', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2], [2], { device }));
    const h = sigmoid(x); // saves its output
    const y = sum(add(h, 2)); // add saves nothing
    h.dispose();
    expect(() => y.backward()).toThrow(/saved by sigmoid.*was disposed before backward/s);
    // The graph survives the disposal of an intermediate whose value no rule needs.
    const a = add(x, 1);
    const z = sum(a);
    a.dispose();
    z.backward();
    expect(await values(x.grad)).toEqual([1, 1]);
  });

  it('.grad survives an enclosing tidy; the forward and backward temporaries do not', async () => {
    const device = await getDevice();
    const w = param(fromArray([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [3, 2], { device }));
    const b = param(fromArray([0.1, -0.1], [2], { device }));
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device });
    const before = memory(device).liveTensors;
    tidy(() => {
      const loss = sum(sigmoid(matmul(x, w, { bias: b, activation: 'relu' })));
      loss.backward();
    });
    expect(w.grad?.isDisposed).toBe(false);
    expect(b.grad?.isDisposed).toBe(false);
    expect(w.grad!.isDense).toBe(true);
    // Exactly the two gradients are new.
    expect(memory(device).liveTensors).toBe(before + 2);
    expect(w.grad!.shape).toEqual([3, 2]);
    w.dispose();
    b.dispose();
    expect(memory(device).liveTensors).toBe(before - 2);
  });

  it('backward disposes each intermediate gradient as soon as it is consumed (not at the end of the tidy)', async () => {
    const device = await getDevice();
    const w1 = param(fromArray([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [3, 2], { device }));
    const w2 = param(fromArray([0.7, -0.8], [2, 1], { device }));
    const x = fromArray([1, 2, 3, -4, 5, -6], [2, 3], { device });
    tidy(() => {
      const h = sigmoid(matmul(x, w1));
      const loss = sum(exp(mul(matmul(h, w2), add(h, 1))));
      const before = memory(device).liveTensors;
      loss.backward();
      // The only tensors left behind by backward are the two leaf gradients.
      expect(memory(device).liveTensors).toBe(before + 2);
    });
    w1.dispose();
    w2.dispose();
  });

  it('param and requiresGrad: floats only, leaves only; a param outlives tidy', async () => {
    const device = await getDevice();
    const p = tidy(() => {
      param(fromArray([1], [1], { device }));
      return null;
    });
    expect(p).toBe(null);
    const kept = tidy(() => {
      const q = param(fromArray([1, 2], [2], { device }));
      keep(q);
      return q;
    });
    expect(kept.isDisposed).toBe(false);
    expect(() => requiresGrad(fromArray([1], [1], { dtype: 'i32', device }))).toThrow(/only floats/);
    expect(() => requiresGrad(mul(kept, 2))).toThrow(/only leaves/);
    const leaf = requiresGrad(ones([2], { device }));
    expect(isLeaf(leaf)).toBe(true);
    requiresGrad(leaf, false);
    expect(leaf.requiresGrad).toBe(false);
  });
});

describe('the tape on long graphs', () => {
  it('a chain of 20,000 ops does not overflow the stack (the order is computed without recursion)', async () => {
    const x = param(tensor([1], { device: cpu }));
    let y: Tensor = x;
    tidy(() => {
      for (let i = 0; i < 20_000; i++) y = add(y, 1e-4);
      mul(y, 2).backward();
    });
    expect(Array.from(await x.grad!.toArray())).toEqual([2]);
  });

  it('visits every node once: a graph with 2^20 paths backpropagates in linear time', async () => {
    // Each level doubles the number of paths from y to x (h + h); a walk that revisits would not finish.
    const x = param(tensor([1], { device: cpu }));
    tidy(() => {
      let h: Tensor = x;
      for (let i = 0; i < 20; i++) h = add(h, h);
      h.backward();
    });
    expect(Array.from(await x.grad!.toArray())).toEqual([2 ** 20]);
  });
});
