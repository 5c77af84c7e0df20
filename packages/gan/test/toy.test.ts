/**
 * Section 4 of the paper, checked on a 1-D toy where every density is known: Proposition 1 (the
 * optimal discriminator), Theorem 1 (C(G) = -log 4 + 2 JSD, minimal at p_g = p_data with D* = 1/2),
 * and the value-function estimator the trainer uses on held-out data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu, fromArray, gradcheck, noGrad, sigmoidBce, type Device } from '@saddle/autograd';
import { DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';
import {
  gaussianLogPdf,
  gaussianPdf,
  highDensityGrid,
  jensenShannon,
  optimalDiscriminator,
  optimalLogit,
  optimalValue,
  trainToyDiscriminator,
  type Gaussian1d,
  type ToyDiscriminator,
  type ToyDiscriminatorOptions,
} from '../src/toy/toy1d.js';
import { ValueEstimator, log1mD, logD, valueFunction, valueFunctionCpu } from '../src/metrics/value.js';

const LOG4 = Math.log(4);
const PDATA: Gaussian1d = { mean: 0, std: 1 };
/** A fixed generator narrower than the data and shifted: D* is not monotone (it rises again on the left tail and the right). */
const PG: Gaussian1d = { mean: 1, std: 0.6 };

/**
 * The training runs (a few seconds each): one-hidden-layer D of width 32, 400 steps of 128 + 128
 * points, SGD lr 0.1 momentum 0.9, seed 1. Deterministic: the same seed gives the same D.
 */
const TRAIN: Omit<ToyDiscriminatorOptions, 'pdata' | 'pg'> = { hidden: [32], steps: 400, batch: 128, lr: 0.1, momentum: 0.9, seed: 1 };

const runs = new Map<string, Promise<ToyDiscriminator>>();
function trained(device: Device, pg: Gaussian1d): Promise<ToyDiscriminator> {
  const key = `${device.name}/${pg.mean}/${pg.std}`;
  if (!runs.has(key)) runs.set(key, trainToyDiscriminator({ pdata: PDATA, pg, device, ...TRAIN }));
  return runs.get(key)!;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('the closed forms', () => {
  it('gaussianPdf integrates to 1 and matches the formula', () => {
    expect(gaussianPdf(0, 0, 1)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
    expect(gaussianLogPdf(3, 1, 2)).toBeCloseTo(-0.5 - Math.log(2) - 0.5 * Math.log(2 * Math.PI), 14);
    let s = 0;
    for (let x = -10; x <= 12; x += 0.001) s += gaussianPdf(x, 1, 1.5) * 0.001;
    expect(s).toBeCloseTo(1, 6);
  });

  it('D* = p_data / (p_data + p_g), from log-densities, in (0, 1) even far in the tails', () => {
    const xs = [-40, -3, 0, 0.5, 1, 2, 40];
    const d = optimalDiscriminator(xs, PDATA, PG);
    xs.forEach((x, i) => {
      const pd = gaussianPdf(x, PDATA.mean, PDATA.std);
      const pg = gaussianPdf(x, PG.mean, PG.std);
      if (pd + pg > 1e-300) expect(d[i]).toBeCloseTo(pd / (pd + pg), 12);
      expect(d[i]).toBeGreaterThanOrEqual(0);
      expect(d[i]).toBeLessThanOrEqual(1);
    });
    // With std_g < std_d the data dominates both tails: D* -> 1 at ±∞ (here the densities underflow).
    expect(d[0]).toBe(1);
    expect(d[6]).toBe(1);
    expect(optimalLogit([1], PDATA, PG)[0]).toBeLessThan(0);
  });

  it('Theorem 1: C(G) = V(D*, G) = -log 4 + 2·JSD(p_data ‖ p_g), with the minimum -log 4 exactly at p_g = p_data', () => {
    for (const pg of [PG, { mean: 0.3, std: 1 }, { mean: -2, std: 2.5 }, { mean: 0, std: 0.2 }]) {
      const jsd = jensenShannon(PDATA, pg);
      expect(jsd).toBeGreaterThan(0);
      expect(jsd).toBeLessThan(Math.log(2));
      expect(optimalValue(PDATA, pg)).toBeCloseTo(-LOG4 + 2 * jsd, 9);
      expect(optimalValue(PDATA, pg)).toBeGreaterThan(-LOG4);
    }
    expect(jensenShannon(PDATA, PDATA)).toBeCloseTo(0, 12);
    expect(optimalValue(PDATA, PDATA)).toBeCloseTo(-LOG4, 12);
    expect(Array.from(optimalDiscriminator([-5, 0, 3], PDATA, PDATA))).toEqual([0.5, 0.5, 0.5]);
    // Disjoint supports (for practical purposes): JSD -> log 2 and C(G) -> 0.
    expect(optimalValue(PDATA, { mean: 40, std: 1 })).toBeCloseTo(0, 9);
  });

  it('the high-density grid covers where the mixture density is at least 0.05', () => {
    const grid = highDensityGrid(PDATA, PG, { count: 11 });
    expect(grid).toHaveLength(11);
    const mix = (x: number) => 0.5 * (gaussianPdf(x, PDATA.mean, PDATA.std) + gaussianPdf(x, PG.mean, PG.std));
    expect(mix(grid[0]!)).toBeCloseTo(0.05, 3);
    expect(mix(grid[10]!)).toBeCloseTo(0.05, 3);
    expect(mix(grid[0]! - 0.05)).toBeLessThan(0.05);
    expect(mix(grid[10]! + 0.05)).toBeLessThan(0.05);
  });
});

describe.each(DEVICE_NAMES)('the 1-D toy on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('Proposition 1: a trained D approaches D* = p_data / (p_data + p_g) on the high-density region (max error < 0.06)', async () => {
    const dev = await device();
    const grid = highDensityGrid(PDATA, PG); // [-1.66, 2.27], 101 points
    const optimal = optimalDiscriminator(grid, PDATA, PG);
    // The bound is not vacuous: the untrained D (same seed, 0 steps) is far off.
    const untrained = await trainToyDiscriminator({ pdata: PDATA, pg: PG, device: dev, ...TRAIN, steps: 0 });
    expect(maxAbsDiff(await untrained.probabilities(grid), optimal)).toBeGreaterThan(0.2);
    untrained.dispose();

    const d = await trained(dev, PG);
    const got = await d.probabilities(grid);
    expect(maxAbsDiff(got, optimal)).toBeLessThan(0.06); // observed 0.043
    // The training loss, the mean BCE over both sides = -V/2, falls to near its optimum -C(G)/2.
    const last = d.losses.at(-1)!.loss;
    expect(d.losses[0]!.loss).toBeGreaterThan(0.6);
    expect(Math.abs(last - -optimalValue(PDATA, PG) / 2)).toBeLessThan(0.05);
  });

  it('Theorem 1 with the trained D: V(D, G) on held-out points is just below C(G) = max_D V', async () => {
    const dev = await device();
    const d = await trained(dev, PG);
    const cg = optimalValue(PDATA, PG); // -1.00935
    const v = await d.value({ count: 20_000 });
    // V(D, G) <= C(G) for every D; the estimate's standard error is ~0.004, D's shortfall ~0.01.
    expect(v).toBeLessThan(cg + 0.012);
    expect(v).toBeGreaterThan(cg - 0.03);
  });

  it('p_g = p_data: D* = 1/2 everywhere and V(D*, G) = -log 4; a trained D comes out near 1/2 and V near -log 4', async () => {
    const dev = await device();
    // Analytic D* = 1/2: logits 0 on both sides give exactly -log 4 through valueFunction.
    const zeros = fromArray(new Float32Array(64), [64, 1], { device: dev });
    const vStar = noGrad(() => valueFunction(zeros, zeros));
    expect(Math.abs((await vStar.item()) + LOG4)).toBeLessThan(4 * 2 ** -23 * LOG4);
    zeros.dispose();
    vStar.dispose();

    const d = await trained(dev, PDATA);
    const grid = highDensityGrid(PDATA, PDATA);
    const got = await d.probabilities(grid);
    expect(maxAbsDiff(got, new Float64Array(grid.length).fill(0.5))).toBeLessThan(0.05); // observed 0.02
    const v = await d.value({ count: 20_000 });
    expect(Math.abs(v + LOG4)).toBeLessThan(0.005); // observed 0.0008
    expect(v).toBeLessThan(-LOG4 + 1e-4); // no D beats D* = 1/2 (up to the f32 sums)
  });

  it("is seeded and deterministic, and the CPU run and this device's agree", async () => {
    const dev = await device();
    const grid = highDensityGrid(PDATA, PG, { count: 9 });
    const short = { pdata: PDATA, pg: PG, device: dev, ...TRAIN, steps: 20 };
    const a = await trainToyDiscriminator(short);
    const b = await trainToyDiscriminator(short);
    const c = await trainToyDiscriminator({ ...short, seed: 2 });
    const la = await a.logits(grid);
    expect(Array.from(await b.logits(grid))).toEqual(Array.from(la));
    expect(maxAbsDiff(await c.logits(grid), la)).toBeGreaterThan(1e-3);
    for (const t of [a, b, c]) t.dispose();
    if (name !== 'cpu') {
      // The same Philox streams and the same arithmetic up to f32 rounding: the same D.
      const onCpu = await trained(cpu, PG);
      const onDev = await trained(dev, PG);
      expect(maxAbsDiff(await onDev.probabilities(grid), await onCpu.probabilities(grid))).toBeLessThan(1e-4);
    }
  });
});

describe.each(DEVICE_NAMES)('valueFunction on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);
  const logit = fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.constantFrom(-100, 100, -1e4, 1e4, 0));

  it('matches the float64 reference, stable for confident logits (±100, ±10^4)', async () => {
    const dev = await device();
    await fc.assert(
      fc.asyncProperty(fc.array(logit, { minLength: 1, maxLength: 40 }), fc.array(logit, { minLength: 1, maxLength: 40 }), async (r, f) => {
        const real = fromArray(r, [r.length, 1], { device: dev });
        const fake = fromArray(f, [f.length], { device: dev });
        const v = noGrad(() => valueFunction(real, fake));
        const got = await v.item();
        const r32 = Float32Array.from(r);
        const f32 = Float32Array.from(f);
        const want = valueFunctionCpu(r32, f32);
        // f32: each term's softplus to a few ulps, then a mean over up to 40 terms.
        const scale = r32.reduce((s, x) => s + Math.abs(x), 0) / r.length + f32.reduce((s, x) => s + Math.abs(x), 0) / f.length + 1;
        expect(Number.isFinite(got)).toBe(true);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(64 * 2 ** -24 * scale);
        // V = -(BCE(real, 1) + BCE(fake, 0)).
        const bce = noGrad(() => [sigmoidBce(real, 1), sigmoidBce(fake, 0)]);
        const viaBce = -((await bce[0]!.item()) + (await bce[1]!.item()));
        expect(Math.abs(got - viaBce)).toBeLessThanOrEqual(64 * 2 ** -24 * scale);
        for (const t of [real, fake, v, ...bce]) t.dispose();
      }),
      { numRuns: 15 },
    );
  });

  it('log D and log(1 - D) are exact where sigmoid saturates', async () => {
    const dev = await device();
    const l = fromArray([100, -100, 0], [3], { device: dev });
    const a = noGrad(() => logD(l));
    const b = noGrad(() => log1mD(l));
    const la = Array.from(await a.toArray());
    const lb = Array.from(await b.toArray());
    expect(la[1]).toBeCloseTo(-100, 5);
    expect(lb[0]).toBeCloseTo(-100, 5);
    expect(la[0]).toBeLessThanOrEqual(0);
    expect(la[0]).toBeGreaterThan(-1e-30);
    expect(la[2]).toBeCloseTo(-Math.log(2), 6);
    expect(lb[2]).toBeCloseTo(-Math.log(2), 6);
    for (const t of [l, a, b]) t.dispose();
  });

  it('ValueEstimator over several batches equals valueFunction over all the points', async () => {
    const dev = await device();
    const r = Array.from({ length: 50 }, (_, i) => Math.sin(i) * 5);
    const f = Array.from({ length: 35 }, (_, i) => Math.cos(3 * i) * 4 - 1);
    const est = new ValueEstimator();
    est.add(fromArray(r.slice(0, 20), [20, 1], { device: dev }), fromArray(f.slice(0, 10), [10, 1], { device: dev }));
    est.add(fromArray(r.slice(20), [30, 1], { device: dev }));
    est.add(undefined, fromArray(f.slice(10), [25, 1], { device: dev }));
    const res = await est.result();
    expect(res.realCount).toBe(50);
    expect(res.fakeCount).toBe(35);
    const want = valueFunctionCpu(Float32Array.from(r), Float32Array.from(f));
    expect(Math.abs(res.value - want)).toBeLessThan(1e-5);
    expect(res.value).toBeCloseTo(res.realTerm + res.fakeTerm, 12);
    await expect(est.result()).rejects.toThrow(/ValueEstimator: saw 0 real and 0 fake points/);
    est.dispose();
  });

  it('is differentiable: dV/dl_real = (1 - D)/n_real, dV/dl_fake = -D/n_fake (gradcheck)', async () => {
    const dev = await device();
    const real = fromArray([-3, -0.5, 0.2, 4, 7], [5, 1], { dtype: 'f64' });
    const fake = fromArray([-6, -1, 0.7, 2.5], [4, 1], { dtype: 'f64' });
    const tol = dev.kind === 'cpu' ? { rtol: 1e-6, atol: 1e-7 } : { rtol: 2e-3, atol: 1e-4 };
    const report = await gradcheck((a, b) => valueFunction(a, b), [real, fake], { device: dev, ...tol });
    expect(report.ok, report.summary).toBe(true);
  });

  it('rejects empty inputs', async () => {
    const dev = await device();
    const empty = fromArray([], [0, 1], { device: dev });
    const one = fromArray([1], [1, 1], { device: dev });
    expect(() => valueFunction(empty, one)).toThrow(/valueFunction: real logits \[0, 1\] and fake logits \[1, 1\]; expected at least one of each/);
  });
});
