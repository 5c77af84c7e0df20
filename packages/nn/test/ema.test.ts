import { describe, expect, it } from 'vitest';
import { copyInto, fromArray, keep, Generator, rand, type Device } from '@saddle/autograd';
import { ExponentialMovingAverage } from '@saddle/nn';
import { DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';

describe.each(DEVICE_NAMES)('ExponentialMovingAverage on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('follows average = decay * average + (1 - decay) * param after each update (float64 reference)', async () => {
    const d = await device();
    const g = new Generator(3);
    const decay = 0.9;
    const shapes = [[3, 5], [7], [2, 2, 2]];
    const params = shapes.map((s) => keep(rand(s, { generator: g, device: d })));
    const start = await Promise.all(params.map(async (p) => Float64Array.from(await p.toArray())));
    const targets = start.map((v, i) => keep(fromArray(v, shapes[i]!, { dtype: 'f32', device: d })));
    const ema = new ExponentialMovingAverage(params, targets, decay);
    const expected = start.map((v) => Float64Array.from(v));
    for (let step = 0; step < 5; step++) {
      // Move the params somewhere new, then average.
      for (const [i, p] of params.entries()) {
        const next = keep(rand(shapes[i]!, { generator: g, device: d }));
        const v = Float64Array.from(await next.toArray());
        copyInto(p, next);
        next.dispose();
        for (let j = 0; j < v.length; j++) expected[i]![j] = decay * expected[i]![j]! + (1 - decay) * v[j]!;
      }
      ema.update();
    }
    expect(ema.updates).toBe(5);
    for (const [i, t] of targets.entries()) {
      const got = await t.toArray();
      got.forEach((x, j) => expect(Math.abs(x - expected[i]![j]!)).toBeLessThan(1e-6));
    }
    for (const t of [...params, ...targets]) t.dispose();
  });

  it('with rampup r the k-th update uses min(decay, 1 - 1/max(1, r k)): the first copies the params, the horizon grows to the decay', async () => {
    const d = await device();
    const p = keep(fromArray([0], [1], { device: d }));
    const t = keep(fromArray([100], [1], { device: d }));
    const decay = 0.75;
    const ema = new ExponentialMovingAverage([p], [t], decay, { rampup: 0.5 });
    const seen: number[] = [];
    let want = 100;
    for (let k = 1; k <= 12; k++) {
      const dk = ema.currentDecay();
      seen.push(dk);
      copyInto(p, fromArray([k], [1], { device: d }));
      ema.update();
      want = dk * want + (1 - dk) * k;
      expect(Math.abs((await t.toArray())[0]! - want), `update ${k}`).toBeLessThan(1e-4);
    }
    // r k = 0.5, 1: copies; 1.5: 1/3; 2: 1/2; 2.5: 0.6; 3: 2/3; 3.5: 5/7; then the decay's 0.75.
    expect(seen.slice(0, 8)).toEqual([0, 0, 1 - 1 / 1.5, 0.5, 1 - 1 / 2.5, 1 - 1 / 3, 1 - 1 / 3.5, 0.75]);
    expect(seen.slice(8)).toEqual([0.75, 0.75, 0.75, 0.75]);
    // Without it the decay is the same from the first update, and the start keeps decay^k of the weight.
    expect(new ExponentialMovingAverage([p], [keep(fromArray([0], [1], { device: d }))], decay).currentDecay()).toBe(decay);
  });

  it('decay 0 from zeros copies the params exactly; stateDict and load round-trip bit for bit', async () => {
    const d = await device();
    const g = new Generator(5);
    const p = keep(rand([4, 3], { generator: g, device: d }));
    const t = keep(fromArray(new Float32Array(12), [4, 3], { device: d }));
    const ema = new ExponentialMovingAverage([p], [t], 0);
    ema.update();
    expect(Array.from(await t.toArray())).toEqual(Array.from(await p.toArray()));
    const saved = await ema.stateDict();
    const other = keep(fromArray(new Float32Array(12).fill(7), [4, 3], { device: d }));
    const ema2 = new ExponentialMovingAverage([p], [other], 0.5);
    ema2.load(saved, 1);
    expect(Array.from(await other.toArray())).toEqual(Array.from(saved[0]!));
    expect(ema2.updates).toBe(1);
    for (const x of [p, t, other]) x.dispose();
  });
});

describe('ExponentialMovingAverage errors', () => {
  it('refuses a bad decay, mismatched lists and shapes, and bad saved state, naming what was expected', async () => {
    const d = await deviceNamed('cpu');
    const a = fromArray([1, 2, 3], [3], { device: d });
    const b = fromArray([1, 2, 3], [3], { device: d });
    const c = fromArray([1, 2], [2], { device: d });
    expect(() => new ExponentialMovingAverage([a], [b], 1)).toThrow(/decay is 1; expected a number in \[0, 1\)/);
    expect(() => new ExponentialMovingAverage([a], [], 0.5)).toThrow(/1 sources and 0 targets; expected equal counts/);
    expect(() => new ExponentialMovingAverage([a], [c], 0.5)).toThrow(/source 0 \[3\] f32 and target \[2\] f32; expected distinct tensors of the same shape/);
    expect(() => new ExponentialMovingAverage([a], [a], 0.5)).toThrow(/expected distinct tensors/);
    expect(() => new ExponentialMovingAverage([a], [b], 0.5, { rampup: -1 })).toThrow(/rampup is -1; expected a finite number >= 0/);
    expect(() => new ExponentialMovingAverage([a], [b], 0.5, { rampup: Infinity })).toThrow(/rampup is Infinity/);
    const ema = new ExponentialMovingAverage([a], [b], 0.5);
    expect(() => ema.load([new Float32Array(2)], 0)).toThrow(/average 0 has 2 values; expected 3/);
    expect(() => ema.load([], 0)).toThrow(/0 averages given; expected 1/);
  });
});
