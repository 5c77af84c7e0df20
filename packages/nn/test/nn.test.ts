import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArray, sigmoidBce, sgdMomentumTensorsPerDispatch, tidy, memory, Generator, type Device } from '@saddle/autograd';
import { Dropout, Linear, Maxout, Sequential, SGD, init, loadModule, mlp, saveModule, schedules } from '@saddle/nn';
import { webgpu, DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';
import { trainXor, xorData } from './xor.js';

describe.each(DEVICE_NAMES)('nn on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('an MLP learns XOR with SGD + momentum (loss falls by 10x)', async () => {
    const d = await device();
    const g = new Generator(7);
    const net = mlp([2, 16, 1], { device: d, generator: g, activation: 'relu', weightInit: init.uniform(-1, 1) });
    const opt = new SGD(net.parameters(), { lr: 0.5, momentum: 0.9 });
    const losses = await trainXor(net, opt, d, 300, 299);
    expect(losses[1]).toBeLessThan(losses[0]! / 10);
    net.dispose();
    opt.dispose();
  });

  it('Dropout is active in training and the identity in eval', async () => {
    const d = await device();
    const drop = new Dropout(0.5, { generator: new Generator(1) });
    const x = fromArray(new Float32Array(1000).fill(1), [10, 100], { device: d });
    const train = Array.from(await drop.forward(x).toArray());
    expect(new Set(train)).toEqual(new Set([0, 2]));
    drop.eval();
    expect(drop.forward(x)).toBe(x);
  });

  it('Maxout gives [batch, units] and names its parameters; Sequential nests names', async () => {
    const d = await device();
    const net = new Sequential(new Maxout(6, 4, 3, { device: d }), new Linear(4, 1, { device: d }));
    expect(net.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual(['0.weight:6x12', '0.bias:12', '1.weight:4x1', '1.bias:1']);
    const out = net.forward(fromArray(new Float32Array(12).fill(0.5), [2, 6], { device: d }));
    expect(out.shape).toEqual([2, 1]);
    expect(() => net.forward(fromArray([1, 2, 3], [1, 3], { device: d }))).toThrowError(/Maxout: input has shape \[1, 3\]; expected \[batch, 6\]/);
  });

  it('Maxout with dropoutAfter is Maxout then Dropout (same masks, same gradients), fused; eval mode drops nothing', async () => {
    const d = await device();
    const make = () => new Maxout(6, 5, 3, { device: d, generator: new Generator(4), weightInit: init.uniform(-1, 1), biasInit: init.uniform(-0.5, 0.5) });
    const fused = new Maxout(6, 5, 3, {
      device: d,
      generator: new Generator(4),
      weightInit: init.uniform(-1, 1),
      biasInit: init.uniform(-0.5, 0.5),
      dropoutAfter: 0.5,
      dropoutGenerator: new Generator(9),
    });
    const plain = new Sequential(make(), new Dropout(0.5, { generator: new Generator(9) }));
    const x = fromArray(
      Array.from({ length: 8 * 6 }, (_, i) => Math.sin(i)),
      [8, 6],
      { device: d },
    );
    for (let step = 0; step < 2; step++) {
      const outs: number[][] = [];
      const grads: number[][] = [];
      for (const net of [fused, plain]) {
        const y = net.forward(x);
        sigmoidBce(y, 1).backward();
        outs.push(Array.from(await y.toArray()));
        grads.push(...(await Promise.all(net.parameters().map(async (p) => Array.from(await p.grad!.toArray())))));
        for (const p of net.parameters()) p.grad = null;
      }
      expect(outs[0]).toEqual(outs[1]);
      expect(outs[0]!.filter((v) => v === 0).length).toBeGreaterThan(0);
      expect(grads.slice(0, 2)).toEqual(grads.slice(2));
    }
    fused.eval();
    plain.eval();
    expect(Array.from(await fused.forward(x).toArray())).toEqual(Array.from(await plain.forward(x).toArray()));
    expect(() => new Maxout(2, 2, 2, { dropoutAfter: 0 })).toThrowError(/Maxout: dropoutAfter is 0/);
  });

  it('saves and loads parameters (safetensors), restoring exact values', async () => {
    const d = await device();
    const a = mlp([3, 5, 2], { device: d, generator: new Generator(1) });
    const b = mlp([3, 5, 2], { device: d, generator: new Generator(2) });
    const path = join(mkdtempSync(join(tmpdir(), 'saddle-nn-')), 'model.safetensors');
    await saveModule(path, a, { note: 'test' });
    expect(await loadModule(path, b)).toEqual({ note: 'test' });
    const sa = await a.stateDict();
    const sb = await b.stateDict();
    for (const k of Object.keys(sa)) expect(Array.from(sb[k]!.data)).toEqual(Array.from(sa[k]!.data));
    const wrong = mlp([3, 4, 2], { device: d });
    await expect(loadModule(path, wrong)).rejects.toThrow(/loadStateDict: 0.weight has shape \[3, 5\] in the state; expected \[3, 4\]/);
  });

  it('loadModule with a mismatch in a later parameter leaves every parameter unchanged', async () => {
    const d = await device();
    const saved = mlp([3, 5, 2], { device: d, generator: new Generator(1) });
    const path = join(mkdtempSync(join(tmpdir(), 'saddle-nn-')), 'model.safetensors');
    await saveModule(path, saved);
    // Same first layer, different last layer: 0.weight and 0.bias match, 1.weight does not.
    const target = mlp([3, 5, 3], { device: d, generator: new Generator(2) });
    const before = await target.stateDict();
    await expect(loadModule(path, target)).rejects.toThrow(/loadStateDict: 1.weight has shape \[5, 2\] in the state; expected \[5, 3\]/);
    const after = await target.stateDict();
    for (const k of Object.keys(before)) expect(Array.from(after[k]!.data), k).toEqual(Array.from(before[k]!.data));
  });

  it('SGD refuses a negative or non-finite lr, momentum or weight decay, and a disposed parameter', async () => {
    const d = await device();
    const net = mlp([2, 3, 1], { device: d });
    for (const [opts, re] of [
      [{ lr: -0.1 }, /SGD: lr is -0.1; expected a finite number >= 0/],
      [{ lr: 0.1, momentum: -0.5 }, /SGD: momentum is -0.5; expected a finite number >= 0/],
      [{ lr: NaN }, /SGD: lr is NaN/],
      [{ lr: 0.1, weightDecay: -1 }, /SGD: weightDecay is -1/],
    ] as const) {
      expect(() => new SGD(net.parameters(), opts)).toThrowError(re);
    }
    const scheduled = new SGD(net.parameters(), { lr: () => -1 });
    expect(() => scheduled.step()).toThrowError(/SGD: lr is -1/);
    scheduled.dispose();
    const opt = new SGD(net.parameters(), { lr: 0.1 });
    const { x, y } = xorData(d);
    sigmoidBce(net.forward(x), y).backward();
    net.parameters()[1]!.dispose();
    expect(() => opt.step()).toThrowError(/SGD.step: parameter 1 \(#\d+ \[3\]\) was disposed/);
    opt.dispose();
    net.dispose();
  });

  it('layer sizes are checked by the layer, naming it and the bad size', () => {
    expect(() => new Linear(-1, 3)).toThrowError(/^Linear: inFeatures is -1; expected a positive integer$/);
    expect(() => new Linear(2, 1.5)).toThrowError(/^Linear: outFeatures is 1.5; expected a positive integer$/);
    expect(() => new Maxout(4, 0, 2)).toThrowError(/^Maxout: units is 0; expected a positive integer$/);
  });
});

describe('SGD on webgpu', () => {
  it('steps all parameters with the multi-tensor kernel: one dispatch per group the device can bind, the same result as one per parameter', async () => {
    const d = await webgpu();
    const T = sgdMomentumTensorsPerDispatch(d);
    const make = () => mlp([3, 7, 5, 4, 2], { device: d, generator: new Generator(3) }); // 8 parameters
    const x = fromArray(
      Array.from({ length: 12 }, (_, i) => i / 12),
      [4, 3],
      { device: d },
    );
    const results: number[][][] = [];
    for (const tensorsPerDispatch of [undefined, 1]) {
      const net = make();
      const opt = new SGD(net.parameters(), { lr: 0.3, momentum: 0.9, tensorsPerDispatch });
      for (let i = 0; i < 2; i++) {
        opt.zeroGrad();
        sigmoidBce(net.forward(x), 1).backward();
        const before = d.counters.dispatches;
        opt.step();
        expect(d.counters.dispatches - before).toBe(tensorsPerDispatch === 1 ? 8 : Math.ceil(8 / T));
      }
      results.push(await Promise.all(net.parameters().map(async (p) => Array.from(await p.toArray()))));
    }
    expect(results[0]).toEqual(results[1]);
  });
});

describe('schedules', () => {
  it('the paper learning rate decays by 1.000004 per minibatch down to its floor', () => {
    const lr = schedules.exponentialDecay(0.1, 1.000004, 1e-6);
    expect(lr({ step: 0, epoch: 0 })).toBe(0.1);
    expect(lr({ step: 1000, epoch: 0 })).toBeCloseTo(0.1 / 1.000004 ** 1000, 12);
    expect(lr({ step: 1e8, epoch: 0 })).toBe(1e-6);
  });
  it('momentum ramps linearly from 0.5 to 0.7 between epochs 1 and 250', () => {
    const m = schedules.linearRamp(0.5, 0.7, 1, 250);
    expect(m({ step: 0, epoch: 0 })).toBe(0.5);
    expect(m({ step: 0, epoch: 125.5 })).toBeCloseTo(0.6, 12);
    expect(m({ step: 0, epoch: 400 })).toBe(0.7);
  });
});

describe('memory', () => {
  it('training steps inside tidy leave no tensors behind', async () => {
    const d = await webgpu();
    const net = mlp([2, 8, 1], { device: d });
    const opt = new SGD(net.parameters(), { lr: 0.1, momentum: 0.5 });
    const { x, y } = xorData(d);
    const step = () =>
      tidy(() => {
        opt.zeroGrad();
        sigmoidBce(net.forward(x), y).backward();
        opt.step();
      });
    step();
    d.flush();
    const before = memory(d);
    for (let i = 0; i < 50; i++) step();
    d.flush();
    const after = memory(d);
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.allocatedBytes).toBe(before.allocatedBytes);
  });
});
