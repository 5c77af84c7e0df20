import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logSumExp, meanAndStdErr, parzenLogLikelihoodCpu, sigmaGrid } from '../src/metrics/parzen-cpu.js';

/**
 * The definition, term by term, with no shift: log((1/n) Σ_i Π_k N(x_k; mu_ik, sigma²)). Only usable
 * where the densities do not underflow (small d, moderate sigma), which is where we compare.
 */
function bruteForce(x: number[], mu: number[], d: number, sigma: number): number[] {
  const m = x.length / d;
  const n = mu.length / d;
  const out: number[] = [];
  for (let j = 0; j < m; j++) {
    let p = 0;
    for (let i = 0; i < n; i++) {
      let density = 1;
      for (let k = 0; k < d; k++) {
        const z = (x[j * d + k]! - mu[i * d + k]!) / sigma;
        density *= Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
      }
      p += density / n;
    }
    out.push(Math.log(p));
  }
  return out;
}

const point = (d: number) => fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d });

describe('parzenLogLikelihoodCpu', () => {
  it('matches the term-by-term definition', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((d) =>
          fc.record({
            d: fc.constant(d),
            x: fc.array(point(d), { minLength: 1, maxLength: 5 }),
            mu: fc.array(point(d), { minLength: 1, maxLength: 8 }),
            sigma: fc.double({ min: 0.2, max: 3, noNaN: true }),
          }),
        ),
        ({ d, x, mu, sigma }) => {
          const got = parzenLogLikelihoodCpu(x.flat(), mu.flat(), d, sigma);
          const want = bruteForce(x.flat(), mu.flat(), d, sigma);
          expect(got).toHaveLength(x.length);
          got.forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 9));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('equals the Gaussian log-density for a single sample, even far in the tails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 800 }), fc.double({ min: 0.01, max: 2, noNaN: true }), fc.nat(), (d, sigma, seed) => {
        const x = Float32Array.from({ length: d }, (_, k) => ((k * 7 + seed) % 13) / 13);
        const mu = Float32Array.from({ length: d }, (_, k) => ((k * 5 + seed * 3) % 11) / 11);
        let dist2 = 0;
        for (let k = 0; k < d; k++) dist2 += (x[k]! - mu[k]!) ** 2;
        const closed = -dist2 / (2 * sigma * sigma) - (d / 2) * Math.log(2 * Math.PI * sigma * sigma);
        const [got] = parzenLogLikelihoodCpu(x, mu, d, sigma);
        expect(Number.isFinite(got)).toBe(true);
        expect(Math.abs(got! - closed)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(closed)));
      }),
      { numRuns: 60 },
    );
  });

  it('stays finite where every exp underflows (MNIST sizes, small sigma), dominated by the nearest sample', () => {
    const d = 784;
    const n = 20;
    const mu = Float64Array.from({ length: n * d }, (_, i) => ((i * 2654435761) % 1000) / 1000);
    // x is sample 7 plus a little noise: the nearest sample by far.
    const x = Float64Array.from({ length: d }, (_, k) => mu[7 * d + k]! + (k % 2 ? 0.05 : -0.05));
    const sigma = 0.01;
    const [ll] = parzenLogLikelihoodCpu(x, mu, d, sigma);
    expect(Number.isFinite(ll)).toBe(true);
    // The unshifted sum of exponentials underflows to 0 for every sample: log 0 = -Infinity.
    let naive = 0;
    for (let i = 0; i < n; i++) {
      let dist2 = 0;
      for (let k = 0; k < d; k++) dist2 += (x[k]! - mu[i * d + k]!) ** 2;
      naive += Math.exp(-dist2 / (2 * sigma * sigma));
    }
    expect(Math.log(naive)).toBe(-Infinity);
    const nearest = -(d * 0.05 ** 2) / (2 * sigma ** 2) - Math.log(n) - d * Math.log(sigma * Math.sqrt(2 * Math.PI));
    expect(ll).toBeCloseTo(nearest, 6);
  });

  it('averages identical samples away and is symmetric in the samples', () => {
    const x = [0.1, 0.2, 0.3, 0.4];
    const mu = [0.5, 0.1, -0.2, 0.3, 0.9, 0.9];
    const a = parzenLogLikelihoodCpu(x, mu, 2, 0.4);
    const shuffled = parzenLogLikelihoodCpu(x, [0.9, 0.9, 0.5, 0.1, -0.2, 0.3], 2, 0.4);
    const doubled = parzenLogLikelihoodCpu(x, [...mu, ...mu], 2, 0.4);
    a.forEach((v, j) => {
      expect(shuffled[j]).toBeCloseTo(v, 12);
      expect(doubled[j]).toBeCloseTo(v, 12);
    });
  });

  it('rejects inconsistent sizes and bad sigmas', () => {
    expect(() => parzenLogLikelihoodCpu([1, 2, 3], [1, 2], 2, 1)).toThrow(/x has 3 values, not a multiple of d = 2/);
    expect(() => parzenLogLikelihoodCpu([1, 2], [], 2, 1)).toThrow(/mu holds no samples/);
    expect(() => parzenLogLikelihoodCpu([1, 2], [1, 2], 2, 0)).toThrow(/sigma is 0/);
    expect(() => parzenLogLikelihoodCpu([1, 2], [1, 2], 2, NaN)).toThrow(/sigma is NaN/);
    expect(() => parzenLogLikelihoodCpu([1, 2], [1, 2], 0, 1)).toThrow(/d is 0/);
    expect(parzenLogLikelihoodCpu([], [1, 2], 2, 1)).toHaveLength(0);
  });
});

describe('helpers', () => {
  it('logSumExp is stable and exact on easy inputs', () => {
    expect(logSumExp([0, 0])).toBeCloseTo(Math.log(2), 15);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.log(2), 12);
    expect(logSumExp([1000, 0])).toBeCloseTo(1000, 12);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([1, NaN])).toBeNaN();
    expect(logSumExp([Infinity, 1])).toBe(Infinity);
  });

  it("meanAndStdErr: mean and std/sqrt(N) with numpy's default ddof = 0", () => {
    const { mean, stdErr } = meanAndStdErr([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(stdErr).toBeCloseTo(Math.sqrt(1.25) / 2, 15);
    expect(meanAndStdErr([7])).toEqual({ mean: 7, stdErr: 0 });
    expect(meanAndStdErr([]).mean).toBeNaN();
  });

  it('sigmaGrid is logspace(-1, 0, 10)', () => {
    const g = sigmaGrid();
    expect(g).toHaveLength(10);
    expect(g[0]).toBeCloseTo(0.1, 15);
    expect(g[9]).toBe(1);
    // numpy.logspace(-1, 0, 10)
    const numpy = [
      0.1, 0.1291549665014884, 0.16681005372000587, 0.21544346900318834, 0.2782559402207124, 0.35938136638046275, 0.46415888336127786, 0.5994842503189409,
      0.774263682681127, 1.0,
    ];
    g.forEach((s, i) => expect(s).toBeCloseTo(numpy[i]!, 14));
  });
});
