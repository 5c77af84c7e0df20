import { describe, it, expect } from 'vitest';
import { add, fromArray, matmul, mul, param, runBackward, sigmoidBce, sum, transpose } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';

describe.each(NAMED_DEVICES)('runBackward with wanted leaves on %s', (_name, getDevice) => {
  it('returns the gradients of the wanted leaves only, dense, and writes no .grad', async () => {
    const device = await getDevice();
    const a = param(fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device }));
    const b = param(fromArray([1, -1], [2], { device }));
    // The gradient reaching `a` comes through a transpose: a strided view, made dense.
    const loss = sum(mul(transpose(a), add(b, 1)));
    const grads = runBackward(loss, undefined, false, [a]);
    expect([...grads.keys()]).toEqual([a]);
    const ga = grads.get(a)!;
    expect(ga.isDense).toBe(true);
    expect(Array.from(await ga.toArray())).toEqual([2, 2, 2, 0, 0, 0]);
    expect(a.grad).toBe(null);
    expect(b.grad).toBe(null);
  });

  it('two losses from one forward pass, each to its own parameters (the simultaneous GAN update)', async () => {
    const device = await getDevice();
    const g = param(fromArray([0.5, -0.5], [1, 2], { device }));
    const d = param(fromArray([1, 2], [2, 1], { device }));
    const z = fromArray([1, 2, 3], [3, 1], { device });
    const logits = matmul(matmul(z, g), d); // [3, 1]
    const dLoss = sigmoidBce(logits, 0);
    const gLoss = sigmoidBce(logits, 1);
    const dGrads = runBackward(dLoss, undefined, true, [d]);
    const gGrads = runBackward(gLoss, undefined, false, [g]);
    expect(dGrads.get(d)!.shape).toEqual([2, 1]);
    expect(gGrads.get(g)!.shape).toEqual([1, 2]);
    expect(dGrads.has(g)).toBe(false);
    // gLoss's backward freed the shared part of the graph.
    expect(() => runBackward(dLoss, undefined, false, [d])).toThrow(/graph was freed/);
  });
});
