/**
 * The optimizers of @saddle/nn on every device: SGD, Adam and AdamW train, follow their schedules,
 * apply weight decay and gradient clipping, save and resume their state exactly (safetensors), and
 * refuse bad parameters and options when they are built (issue 21 point 5, issue 26 point 3).
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, cpu, fromArray, keep, param, type Device, type Tensor } from '@saddle/autograd';
import { Adam, AdamW, SGD, clipGradNorm, init, loadModule, loadOptimizer, mlp, saveModule, saveOptimizer, schedules, type Optimizer } from '@saddle/nn';
import { DEVICE_NAMES, deviceNamed, webgpu } from '../../../test/support/devices.js';
import { trainXor } from './xor.js';
import { expectClose } from '../../../test/support/compare.js';

type Make = (params: Tensor[]) => Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ['SGD', (ps) => new SGD(ps, { lr: 0.3, momentum: 0.9, weightDecay: 1e-3 })],
  ['Adam', (ps) => new Adam(ps, { lr: 0.05, weightDecay: 1e-3 })],
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.05, betas: [0.8, 0.99], clipGradNorm: 5 })],
];

/** A parameter with a gradient set by hand. */
function withGrad(values: number[], grad: number[], device: Device): Tensor {
  const p = param(fromArray(values, [values.length], { device }));
  p.grad = keep(fromArray(grad, [grad.length], { device }));
  return p;
}

const setGrad = (p: Tensor, g: number[]) => {
  p.grad?.dispose();
  p.grad = keep(fromArray(g, [g.length], { device: p.device }));
};

describe.each(DEVICE_NAMES)('optimizers on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it.each(OPTIMIZERS)('%s trains an MLP on XOR (loss falls by 10x)', async (_n, make) => {
    const d = await device();
    const net = mlp([2, 16, 1], { device: d, generator: new Generator(7), weightInit: init.uniform(-1, 1) });
    const opt = make(net.parameters());
    const losses = await trainXor(net, opt, d, 300);
    expect(losses[299]).toBeLessThan(losses[0]! / 10);
    opt.dispose();
    net.dispose();
  });

  it.each(OPTIMIZERS)('%s saves and resumes its state exactly (safetensors): the same bits as an unbroken run', async (optName, make) => {
    const d = await device();
    const dir = mkdtempSync(join(tmpdir(), 'saddle-optim-'));
    const netA = mlp([2, 8, 1], { device: d, generator: new Generator(3), weightInit: init.uniform(-1, 1) });
    const optA = make(netA.parameters());
    await trainXor(netA, optA, d, 7);
    await saveModule(join(dir, 'model.safetensors'), netA);
    await saveOptimizer(join(dir, 'opt.safetensors'), optA, { note: 'mine' });
    const unbroken = await trainXor(netA, optA, d, 5);

    const netB = mlp([2, 8, 1], { device: d, generator: new Generator(99) });
    const optB = make(netB.parameters());
    await loadModule(join(dir, 'model.safetensors'), netB);
    const meta = await loadOptimizer(join(dir, 'opt.safetensors'), optB);
    expect(meta).toMatchObject({ optimizer: optName, stepCount: '7', note: 'mine' });
    expect(optB.stepCount).toBe(7);
    const resumed = await trainXor(netB, optB, d, 5);
    expect(resumed).toEqual(unbroken);
    const [a, b] = [await netA.stateDict(), await netB.stateDict()];
    for (const k of Object.keys(a)) expect(Array.from(b[k]!.data), k).toEqual(Array.from(a[k]!.data));
    const [sa, sb] = [await optA.stateDict(), await optB.stateDict()];
    expect(sb.metadata).toEqual(sa.metadata);
    for (const k of Object.keys(sa.tensors)) expect(Array.from(sb.tensors[k]!.data), k).toEqual(Array.from(sa.tensors[k]!.data));
    // Without the optimizer's state (fresh moments, step 0), the same steps give other values.
    {
      const netC = mlp([2, 8, 1], { device: d, generator: new Generator(99) });
      await loadModule(join(dir, 'model.safetensors'), netC);
      const optC = make(netC.parameters());
      expect(await trainXor(netC, optC, d, 5)).not.toEqual(unbroken);
      optC.dispose();
      netC.dispose();
    }
    for (const x of [optA, optB, netA, netB]) x.dispose();
  });

  it('loadStateDict refuses another optimizer, a missing or misshapen buffer and bad counters, changing nothing', async () => {
    const d = await device();
    const p = withGrad([1, 2, 3], [0.1, 0.2, 0.3], d);
    const adam = new Adam([p], { lr: 0.1 });
    adam.step();
    const good = await adam.stateDict();
    const sgd = new SGD([p], { lr: 0.1 });
    expect(() => sgd.loadStateDict(good, 'a.safetensors')).toThrowError(
      /^SGD.loadStateDict: the state is of optimizer Adam; expected SGD \(loading a.safetensors\)$/,
    );
    const fresh = new Adam([p], { lr: 0.1 });
    const { ['v.0']: _v, ...noV } = good.tensors;
    expect(() => fresh.loadStateDict({ tensors: noV, metadata: good.metadata })).toThrowError(/Adam.loadStateDict: the state has no v.0/);
    const bent = { ...good.tensors, 'm.0': { ...good.tensors['m.0']!, shape: [1, 3] } };
    expect(() => fresh.loadStateDict({ tensors: bent, metadata: good.metadata })).toThrowError(/m.0 has shape \[1, 3\] in the state; expected \[3\]/);
    expect(() => fresh.loadStateDict({ tensors: good.tensors, metadata: { ...good.metadata, stepCount: 'NaN' } })).toThrowError(
      /stepCount is NaN in the state/,
    );
    expect(() => fresh.loadStateDict({ tensors: good.tensors, metadata: { ...good.metadata, steps: '[1, 2]' } })).toThrowError(
      /steps is \[1, 2\] in the state; expected a list of 1 counts/,
    );
    expect(fresh.stepCount).toBe(0);
    expect(Array.from((await fresh.stateDict()).tensors['m.0']!.data)).toEqual([0, 0, 0]);
    fresh.loadStateDict(good);
    expect(Array.from((await fresh.stateDict()).tensors['m.0']!.data)).toEqual(Array.from(good.tensors['m.0']!.data));
    for (const x of [adam, sgd, fresh, p]) x.dispose();
  });

  it('linearTail: the base schedule until the last fraction of the steps, then a linear fall to 0 at totalSteps', () => {
    const base = schedules.exponentialDecay(0.1, 2, 0.02);
    const tail = schedules.linearTail(base, 10, 0.4);
    // Steps 0-5 are the base's, bit for bit; steps 6-9 are scaled by (10 - step) / 4; 10 and after, 0.
    for (let step = 0; step <= 5; step++) expect(tail({ step, epoch: 0 })).toBe(base({ step, epoch: 0 }));
    expect([6, 7, 8, 9, 10, 11].map((step) => tail({ step, epoch: 0 }))).toEqual([0.02 * 1, 0.02 * 0.75, 0.02 * 0.5, 0.02 * 0.25, 0, 0]);
    expect(schedules.linearTail(base, 10, 0)).toBe(base);
    expect(() => schedules.linearTail(base, 0, 0.5)).toThrow(/totalSteps is 0; expected a positive integer/);
    expect(() => schedules.linearTail(base, 10, 1.5)).toThrow(/fraction is 1.5; expected a number in \[0, 1\]/);
  });

  it('the schedules drive the learning rate of SGD, Adam and AdamW, step by step', async () => {
    const d = await device();
    const lr = schedules.exponentialDecay(0.1, 2, 0.02);
    for (const make of [
      (ps: Tensor[]) => new SGD(ps, { lr, momentum: 0 }),
      (ps: Tensor[]) => new Adam(ps, { lr, eps: 1e-12 }),
      (ps: Tensor[]) => new AdamW(ps, { lr, eps: 1e-12, weightDecay: 0 }),
    ]) {
      // A constant gradient of 1: SGD moves by lr; Adam's bias-corrected step is lr · g/|g| = lr too.
      const p = withGrad([0], [1], d);
      const opt = make([p]);
      let before = 0;
      for (let step = 0; step < 5; step++) {
        opt.step();
        const now = (await p.toArray())[0]!;
        expect(before - now, `${opt.name} step ${step}`).toBeCloseTo(Math.max(0.1 / 2 ** step, 0.02), 5);
        before = now;
      }
      opt.dispose();
      p.dispose();
    }
    // An epoch schedule reads `epoch`, which the training loop sets.
    const p = withGrad([0], [1], d);
    const opt = new Adam([p], { lr: schedules.linearRamp(0.1, 0.3, 0, 2), eps: 1e-12 });
    opt.epoch = 1;
    expect(opt.current().lr).toBeCloseTo(0.2, 12);
    opt.step();
    expectClose(await p.toArray(), [-0.2], { atol: 1e-6 });
    opt.dispose();
  });

  it('weight decay: SGD and Adam add it to the gradient, AdamW shrinks the weight', async () => {
    const d = await device();
    const sgdP = withGrad([2, -4], [0, 0], d);
    new SGD([sgdP], { lr: 0.1, weightDecay: 0.5 }).step();
    expectClose(await sgdP.toArray(), [2 - 0.1 * 0.5 * 2, -4 + 0.1 * 0.5 * 4], { atol: 1e-6 });
    const adamP = withGrad([2, -4], [0, 0], d);
    new Adam([adamP], { lr: 0.1, weightDecay: 0.5 }).step();
    expectClose(await adamP.toArray(), [1.9, -3.9], { atol: 1e-6 });
    const adamwP = withGrad([2, -4], [0, 0], d);
    new AdamW([adamwP], { lr: 0.1, weightDecay: 0.5 }).step();
    expectClose(await adamwP.toArray(), [2 * 0.95, -4 * 0.95], { atol: 1e-6 });
  });

  it('gradient-norm clipping: clipGradNorm scales the joint norm down to maxNorm; SGD and Adam clip before their step', async () => {
    const d = await device();
    const a = withGrad([0, 0], [3, 0], d);
    const b = withGrad([0], [4], d);
    const norm = clipGradNorm([a, b], 1);
    expect(await norm.item()).toBeCloseTo(5, 5);
    expectClose(await a.grad!.toArray(), [0.6, 0], { atol: 1e-6 });
    expectClose(await b.grad!.toArray(), [0.8], { atol: 1e-6 });
    // Below the bound: unchanged.
    clipGradNorm([a, b], 10);
    expectClose(await b.grad!.toArray(), [0.8], { atol: 1e-6 });

    const p = withGrad([0, 0], [30, 40], d);
    new SGD([p], { lr: 1, clipGradNorm: 5 }).step();
    expectClose(await p.toArray(), [-3, -4], { atol: 1e-5 });
    const q = withGrad([0, 0], [30, 40], d);
    const adam = new Adam([q], { lr: 1, betas: [0.5, 0.999], clipGradNorm: 5 });
    adam.step();
    // m = (1 − β1)·clipped gradient.
    expectClose((await adam.stateDict()).tensors['m.0']!.data, [1.5, 2], { atol: 1e-5 });
    setGrad(q, [0, 1e-3]);
    adam.step();
    expectClose((await adam.stateDict()).tensors['m.0']!.data, [0.75, 1.0005], { atol: 1e-5 });
  });

  it('each parameter counts its own Adam steps: one without a gradient is not updated', async () => {
    const d = await device();
    const p = withGrad([0], [1], d);
    const q = param(fromArray([0], [1], { device: d }));
    const opt = new Adam([p, q], { lr: 0.1, eps: 1e-12 });
    opt.step();
    setGrad(q, [1]);
    opt.step();
    // q's first update has the full bias correction: it moves by lr, as p's first did.
    expectClose(await q.toArray(), [-0.1], { atol: 1e-6 });
    expect(JSON.parse((await opt.stateDict()).metadata.steps!)).toEqual([2, 1]);
  });

  it('refuses, when built, a disposed, duplicated, integer or non-grad parameter and non-finite, negative or unknown options', async () => {
    const d = await device();
    const net = mlp([2, 3, 1], { device: d });
    const ps = net.parameters();
    const cases: [() => unknown, RegExp][] = [
      [() => new Adam(ps, { lr: -1 }), /^Adam: lr is -1; expected a finite number >= 0$/],
      [() => new Adam(ps, { lr: NaN }), /^Adam: lr is NaN/],
      [() => new AdamW(ps, { lr: Infinity }), /^AdamW: lr is Infinity/],
      [() => new Adam(ps, { eps: -1e-8 }), /^Adam: eps is -1e-8/],
      [() => new Adam(ps, { betas: [0.9, 1] }), /^Adam: betas\[1\] is 1; expected a number in \[0, 1\)$/],
      [() => new Adam(ps, { betas: [NaN, 0.9] }), /^Adam: betas\[0\] is NaN/],
      [() => new Adam(ps, { betas: 0.9 as unknown as [number, number] }), /^Adam: betas is 0.9; expected \[beta1, beta2\]$/],
      [() => new AdamW(ps, { weightDecay: -0.1 }), /^AdamW: weightDecay is -0.1/],
      [() => new Adam(ps, { clipGradNorm: 0 }), /^Adam: clipGradNorm is 0; expected a finite number > 0/],
      [() => new SGD(ps, { lr: 0.1, clipGradNorm: NaN }), /^SGD: clipGradNorm is NaN/],
      [() => new SGD(ps, { lr: 0.1, momentum: Infinity }), /^SGD: momentum is Infinity/],
      [() => new SGD(ps, { lr: 0.1, tensorsPerDispatch: 0 }), /^SGD: tensorsPerDispatch is 0; expected a positive integer$/],
      [() => new SGD(ps, {} as { lr: number }), /^SGD: lr is undefined/],
      [
        () => new SGD(ps, { lr: 0.1, momentun: 0.9 } as { lr: number }),
        /^SGD: unknown option 'momentun'; expected one of 'lr', 'weightDecay', 'clipGradNorm', 'momentum', 'tensorsPerDispatch'$/,
      ],
      [() => new Adam(ps, { beta1: 0.5 } as object), /^Adam: unknown option 'beta1'; expected one of .*'betas', 'eps'$/],
      [() => new Adam([...ps, ps[0]!]), /^Adam: parameter 4 \(#\d+ \[2, 3\]\) is listed twice$/],
      [() => new Adam([fromArray([1], [1], { device: d })]), /^Adam: parameter 0 \(#\d+ \[1\]\) does not require grad/],
      [() => new SGD([fromArray([1], [1], { device: d, dtype: 'i32' })], { lr: 0.1 }), /^SGD: parameter 0 .* (does not require grad|has dtype i32)/],
      [() => new Adam([1 as unknown as Tensor]), /^Adam: parameter 0 is 1; expected a Tensor$/],
      [() => new Adam(null as unknown as Tensor[]), /^Adam: params is null; expected an iterable/],
    ];
    if (d !== cpu)
      cases.push([
        () => new AdamW([ps[0]!, param(fromArray([1], [1], { device: cpu }))]),
        /^AdamW: parameter 1 .* is on cpu but parameter 0 is on .*; expected one device$/,
      ]);
    for (const [make, re] of cases) expect(make).toThrowError(re);
    ps[1]!.dispose();
    for (const make of [() => new SGD(ps, { lr: 0.1 }), () => new Adam(ps), () => new AdamW(ps)]) {
      expect(make).toThrowError(/^(SGD|Adam|AdamW): parameter 1 \(#\d+ \[3\]\) was disposed; expected live parameters/);
    }
    net.dispose();
  });
});

describe('Adam on webgpu and wasm', () => {
  it('trains to the same parameters as the CPU, within f32 rounding', async () => {
    const results: number[][] = [];
    for (const d of [cpu, await webgpu(), await deviceNamed('wasm')]) {
      const net = mlp([2, 8, 1], { device: d, generator: new Generator(5), weightInit: init.uniform(-1, 1) });
      const opt = new AdamW(net.parameters(), { lr: 0.01 });
      await trainXor(net, opt, d, 20);
      results.push(Array.from((await net.stateDict())['0.weight']!.data));
      opt.dispose();
      net.dispose();
    }
    expectClose(results[1]!, results[0]!, { atol: 1e-4, rtol: 1e-4, label: 'webgpu' });
    expectClose(results[2]!, results[0]!, { atol: 1e-4, rtol: 1e-4, label: 'wasm' });
  });
});
