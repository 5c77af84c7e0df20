import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpu, fromArray, memory, sum, mul, tidy, type Device, type Tensor } from '@saddle/autograd';
import { BatchNorm1d, BatchNorm2d, LayerNorm, Linear, Sequential, batchNorm, layerNorm, loadModule, saveModule } from '@saddle/nn';
import { DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';
import { expectClose } from '../../../test/support/compare.js';
import { check, data, rng } from '../../../test/grad/support.js';

const values = (n: number, seed: number, lo = -2, hi = 2) => {
  const next = rng(seed);
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * next()));
};

/**
 * Batch normalization written out in f64: per channel c of x [N, C, ...rest], the batch mean and
 * biased variance over N and rest; the running stats' update uses the unbiased variance.
 */
function batchNormRef(x: number[], shape: number[], w: number[], b: number[], rm: number[], rv: number[], training: boolean, momentum = 0.1, eps = 1e-5) {
  const [n, c] = shape as [number, number];
  const inner = shape.slice(2).reduce((p, d) => p * d, 1);
  const at = (i: number, ch: number, j: number) => (i * c + ch) * inner + j;
  const y = new Array<number>(x.length);
  const newMean = [...rm];
  const newVar = [...rv];
  for (let ch = 0; ch < c; ch++) {
    let m = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) m += x[at(i, ch, j)]!;
    m /= n * inner;
    let v = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) v += (x[at(i, ch, j)]! - m) ** 2;
    const biased = v / (n * inner);
    const unbiased = v / (n * inner - 1);
    const [useMean, useVar] = training ? [m, biased] : [rm[ch]!, rv[ch]!];
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) y[at(i, ch, j)] = ((x[at(i, ch, j)]! - useMean) / Math.sqrt(useVar + eps)) * w[ch]! + b[ch]!;
    if (training) {
      newMean[ch] = (1 - momentum) * rm[ch]! + momentum * m;
      newVar[ch] = (1 - momentum) * rv[ch]! + momentum * unbiased;
    }
  }
  return { y, runningMean: newMean, runningVar: newVar };
}

/** Layer normalization written out in f64 over the last `d` elements of each row. */
function layerNormRef(x: number[], d: number, w: number[], b: number[], eps = 1e-5): number[] {
  const y: number[] = [];
  for (let r = 0; r < x.length / d; r++) {
    const row = x.slice(r * d, (r + 1) * d);
    const m = row.reduce((s, v) => s + v, 0) / d;
    const v = row.reduce((s, u) => s + (u - m) ** 2, 0) / d;
    row.forEach((u, i) => y.push(((u - m) / Math.sqrt(v + eps)) * w[i]! + b[i]!));
  }
  return y;
}

const read = async (t: Tensor) => Array.from(await t.toArray());
// f32 against the f64 formula: the outputs are O(1) (normalized, times weights up to 2), and the
// means and variances are f32 sums of at most 120 terms.
const F32 = { atol: 2e-5, rtol: 2e-5 };

describe.each(DEVICE_NAMES)('normalization layers on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it.each([
    ['BatchNorm2d', [3, 2, 4, 5]],
    ['BatchNorm1d', [6, 3]],
    ['BatchNorm1d', [4, 3, 5]],
  ] as const)(
    '%s %j: train mode uses the batch (biased var) and moves the running stats (unbiased var, momentum 0.1); eval mode uses them',
    async (layer, shape) => {
      const d = await device();
      const c = shape[1];
      const bn = layer === 'BatchNorm2d' ? new BatchNorm2d(c, { device: d }) : new BatchNorm1d(c, { device: d });
      expect(bn.parameters()).toEqual([bn.weight, bn.bias]);
      expect(bn.namedBuffers().map(([n]) => n)).toEqual(['running_mean', 'running_var']);
      expect(bn.buffers().every((t) => !t.requiresGrad)).toBe(true);
      const w = values(c, 1, 0.5, 2);
      const b = values(c, 2);
      bn.loadStateDict({
        weight: { shape: [c], data: w },
        bias: { shape: [c], data: b },
        running_mean: { shape: [c], data: new Array(c).fill(0) },
        running_var: { shape: [c], data: new Array(c).fill(1) },
      });
      let rm = new Array<number>(c).fill(0);
      let rv = new Array<number>(c).fill(1);
      const size = shape.reduce((p, q) => p * q, 1);
      for (const seed of [3, 4]) {
        // Channels with different means and spreads, so the running stats are not near their start.
        const x = values(size, seed, -1, 5);
        const ref = batchNormRef(x, [...shape], w, b, rm, rv, true);
        const y = bn.forward(fromArray(x, [...shape], { device: d }));
        expectClose(await read(y), ref.y, { ...F32, label: `train y, batch ${seed}` });
        expectClose(await read(bn.runningMean!), ref.runningMean, { ...F32, label: 'running mean' });
        expectClose(await read(bn.runningVar!), ref.runningVar, { ...F32, label: 'running var' });
        [rm, rv] = [ref.runningMean, ref.runningVar];
      }
      bn.eval();
      const x = values(size, 5, -1, 5);
      const ref = batchNormRef(x, [...shape], w, b, rm, rv, false);
      expectClose(await read(bn.forward(fromArray(x, [...shape], { device: d }))), ref.y, { ...F32, label: 'eval y' });
      // Eval mode leaves the running stats alone.
      expectClose(await read(bn.runningMean!), rm, F32);
      const state = await bn.stateDict();
      expect(Object.keys(state)).toEqual(['weight', 'bias', 'running_mean', 'running_var']);
      bn.dispose();
    },
  );

  it('trackRunningStats false normalizes with the batch in eval mode too, and affine false has no parameters', async () => {
    const d = await device();
    const bn = new BatchNorm2d(2, { device: d, trackRunningStats: false, affine: false }).eval();
    expect(bn.parameters()).toEqual([]);
    expect(bn.buffers()).toEqual([]);
    const x = values(2 * 2 * 3 * 3, 6);
    const ref = batchNormRef(x, [2, 2, 3, 3], [1, 1], [0, 0], [0, 0], [1, 1], true);
    expectClose(await read(bn.forward(fromArray(x, [2, 2, 3, 3], { device: d }))), ref.y, F32);
  });

  it('LayerNorm normalizes each sample over its last dims, the same in train and eval mode', async () => {
    const d = await device();
    for (const normalizedShape of [[3, 4], 4] as const) {
      const ln = new LayerNorm(normalizedShape, { device: d });
      const dims = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
      const k = dims.reduce((p, q) => p * q, 1);
      const w = values(k, 7, 0.5, 2);
      const b = values(k, 8);
      ln.loadStateDict({ weight: { shape: dims, data: w }, bias: { shape: dims, data: b } });
      const x = values(2 * 3 * 4, 9, -3, 3);
      const want = layerNormRef(x, k, w, b);
      expectClose(await read(ln.forward(fromArray(x, [2, 3, 4], { device: d }))), want, F32);
      ln.eval();
      expectClose(await read(ln.forward(fromArray(x, [2, 3, 4], { device: d }))), want, F32);
      ln.dispose();
    }
    expect(new LayerNorm(5, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(new LayerNorm(5, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('gradients through batchNorm (train and eval) and layerNorm match finite differences', async () => {
    const d = await device();
    await check((x, w, b) => batchNorm(x, { weight: w, bias: b, training: true }), [data([3, 2, 2, 3], 1), data([2], 2), data([2], 3)], d, {
      label: 'batchNorm train',
    });
    await check((x, w, b) => batchNorm(x, { weight: w, bias: b, training: true }), [data([5, 3], 4), data([3], 5), data([3], 6)], d, {
      label: 'batchNorm [N, C]',
    });
    await check((x, w, b) => layerNorm(x, [2, 3], { weight: w, bias: b }), [data([4, 2, 3], 7), data([2, 3], 8), data([2, 3], 9)], d, { label: 'layerNorm' });
    // Eval mode: the running stats are constants (inputs that are not differentiated).
    await check(
      (x, rm, rv, w) => batchNorm(x, { runningMean: rm, runningVar: rv, weight: w }),
      [data([3, 2, 2], 10), data([2], 11), data([2], 12, { range: [0.5, 2] }), data([2], 13)],
      d,
      { wrt: [0, 3], label: 'batchNorm eval' },
    );
  });

  it('buffers are saved and loaded with the parameters (safetensors), dotted inside a Sequential', async () => {
    const d = await device();
    const make = () => new Sequential(new Linear(3, 4, { device: d }), new BatchNorm1d(4, { device: d }));
    const a = make();
    expect(a.namedBuffers().map(([n]) => n)).toEqual(['1.running_mean', '1.running_var']);
    a.forward(fromArray(values(12, 14), [4, 3], { device: d }));
    const path = join(mkdtempSync(join(tmpdir(), 'saddle-norm-')), 'model.safetensors');
    await saveModule(path, a);
    const b = make();
    await loadModule(path, b);
    const [sa, sb] = [await a.stateDict(), await b.stateDict()];
    expect(Object.keys(sb)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var']);
    for (const key of Object.keys(sa)) expect(Array.from(sb[key]!.data), key).toEqual(Array.from(sa[key]!.data));
    expect(Array.from(sb['1.running_var']!.data).some((v) => v !== 1)).toBe(true);
    // A module without buffers keeps the state it always had: old checkpoints load unchanged.
    expect(Object.keys(await new Linear(2, 2, { device: d }).stateDict())).toEqual(['weight', 'bias']);
    expect(() => b.loadStateDict({ '0.weight': sa['0.weight']!, '0.bias': sa['0.bias']!, '1.weight': sa['1.weight']!, '1.bias': sa['1.bias']! })).toThrowError(
      /loadStateDict: parameters do not match: missing \[1.running_mean, 1.running_var\]/,
    );
    a.dispose();
    b.dispose();
  });

  it('a training step inside tidy keeps the buffers (updated in place) and leaves nothing behind', async () => {
    const d = await device();
    const bn = new BatchNorm2d(2, { device: d });
    const before = memory().liveTensors;
    tidy(() => {
      const x = fromArray(values(2 * 2 * 2 * 2, 15), [2, 2, 2, 2], { device: d });
      sum(mul(bn.forward(x), 2)).backward();
    });
    bn.weight!.grad?.dispose();
    bn.bias!.grad?.dispose();
    expect(memory().liveTensors).toBe(before);
    expect((await read(bn.runningMean!)).some((v) => v !== 0)).toBe(true);
    bn.dispose();
  });

  it('bad input and options are SaddleErrors naming the layer, the shapes and what was expected', async () => {
    const d = await device();
    const bn = new BatchNorm2d(3, { device: d });
    expect(() => bn.forward(fromArray(values(8, 1), [2, 4, 1, 1], { device: d }))).toThrowError(
      /^BatchNorm2d: input has shape \[2, 4, 1, 1\]; expected \[N, 3, H, W\]$/,
    );
    expect(() => new BatchNorm1d(3, { device: d }).forward(fromArray(values(6, 1), [1, 3, 2, 1], { device: d }))).toThrowError(
      /^BatchNorm1d: input has shape \[1, 3, 2, 1\]; expected \[N, 3\] or \[N, 3, L\]$/,
    );
    expect(() => bn.forward(fromArray(values(3, 1), [1, 3, 1, 1], { device: d }))).toThrowError(
      /^batchNorm: x has shape \[1, 3, 1, 1\]: 1 value per channel; expected more than 1 value per channel when training$/,
    );
    expect(() => batchNorm(fromArray([1, 2, 3, 4], [2, 2], { device: d, dtype: 'i32' }), { training: true })).toThrowError(
      /^batchNorm: x \[2, 2\] has dtype i32; expected f32/,
    );
    expect(() => batchNorm(fromArray([1, 2, 3, 4], [2, 2], { device: d }), { weight: fromArray([1, 2, 3], [3], { device: d }), training: true })).toThrowError(
      /^batchNorm: weight has shape \[3\]; expected \[2\] for x of shape \[2, 2\]$/,
    );
    expect(() => batchNorm(fromArray([1, 2, 3, 4], [2, 2], { device: d }))).toThrowError(
      /^batchNorm: training is false but runningMean and runningVar are missing/,
    );
    expect(() => layerNorm(fromArray(values(6, 1), [2, 3], { device: d }), [2])).toThrowError(
      /^layerNorm: x has shape \[2, 3\]; expected its last dims to be normalizedShape \[2\]$/,
    );
    expect(() => new BatchNorm2d(0)).toThrowError(/^BatchNorm2d: numFeatures is 0; expected a positive integer$/);
    expect(() => new BatchNorm2d(2, { momentum: 2 })).toThrowError(/^BatchNorm2d: momentum is 2; expected a number in \[0, 1\]$/);
    expect(() => new BatchNorm2d(2, { eps: 0 })).toThrowError(/^BatchNorm2d: eps is 0; expected a finite number > 0$/);
    expect(() => new BatchNorm1d(2, { affin: true } as never)).toThrowError(/^BatchNorm1d: unknown option 'affin'/);
    expect(() => new LayerNorm([])).toThrowError(/^LayerNorm: normalizedShape is \[\]; expected a positive integer or a non-empty list/);
    expect(() => new LayerNorm(3, { bias: 1 } as never)).toThrowError(/^LayerNorm: bias is 1; expected true or false$/);
    bn.dispose();
  });
});

describe('normalization on the CPU in f64', () => {
  it('BatchNorm2d of f64 input: the formula to 1e-12', async () => {
    const x = values(2 * 3 * 2 * 2, 20);
    const bn = new BatchNorm2d(3, { device: cpu });
    const y = batchNorm(fromArray(x, [2, 3, 2, 2], { device: cpu, dtype: 'f64' }), { training: true });
    expectClose(await read(y), batchNormRef(x, [2, 3, 2, 2], [1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1], true).y, { atol: 1e-12, rtol: 1e-12 });
    bn.dispose();
  });
});
