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
    const ema = new ExponentialMovingAverage([a], [b], 0.5);
    expect(() => ema.load([new Float32Array(2)], 0)).toThrow(/average 0 has 2 values; expected 3/);
    expect(() => ema.load([], 0)).toThrow(/0 averages given; expected 1/);
  });
});
