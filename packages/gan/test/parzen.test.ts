import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SaddleError, cpu, fromArray, liveTensorCount, type Device, type DType, type Tensor } from '@saddle/autograd';
import { webgpu, DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';
import { MNIST_PIXELS } from '../src/data/mnist.js';
import { loadMnist } from '../src/data/mnist-files.js';
import { meanAndStdErr, parzenLogLikelihoodCpu, sigmaGrid } from '../src/metrics/parzen-cpu.js';
import { parzenBlocks, parzenEvaluate, parzenLogLikelihood, parzenLogLikelihoods, selectSigma } from '../src/metrics/parzen.js';
import { randomData } from '../../../test/support/random-data.js';

const U32 = 2 ** -24; // unit roundoff of f32

/**
 * The error bound of the f32 computation against the exact answer for the same (f32) inputs, per
 * test point j:
 *
 * - Each squared distance d_ij = |x|² + (|mu|² - 2 x·mu) comes from three length-d reductions (the
 *   matmul's dot product, the sums of squares) and two additions, so its absolute error is at most
 *   (γ_d + 2u)(|x_j| + |mu_i|)², γ_d = d·u/(1 - d·u), whatever the summation order (sequential,
 *   tree, FMA). It is absolute, not relative: when x_j ≈ mu_i the true d_ij is ~0 but the terms are
 *   ~|x|², so this is where f32 loses (the clamp at 0 only moves the result towards the truth).
 * - The shifted exponent -c (d_ij - dmin_j) then errs by at most c times twice that (d_ij and dmin_j),
 *   plus roundings of relative size u; log-sum-exp is 1-Lipschitz in the exponents, so the output
 *   inherits at most 2c·(γ_d + 2u)·max_i (|x_j| + |mu_i|)².
 * - exp (WGSL: within (3 + 2|a|) ulp), the length-n sum of terms in (0, 1] and log (2^-21 absolute
 *   near 1, 3 ulp elsewhere) add at most (4n + 10)·u + 2^-21 (the weighted exp error Σ w_i (3 + 2|a_i|) u
 *   is at most (3 + n)·u because w_i·|a_i| = e^{-|a_i|}·|a_i| <= 1/e; the sum is at most γ_n).
 * - The host adds -c·dmin, the constants and combines the blocks in float64: negligible.
 *
 * The test allows twice this bound. It is pessimistic (rounding errors rarely align; on MNIST with
 * sigma = 0.2 the observed error is ~10^-3 nats where this allows ~0.5), which is why the float64 run
 * on the CPU device below checks the algorithm itself to 1e-9.
 */
function f32Bound(x: Float32Array, mu: Float32Array, d: number, sigma: number): Float64Array {
  const norms = (a: Float32Array) => Float64Array.from({ length: a.length / d }, (_, r) => Math.hypot(...a.subarray(r * d, (r + 1) * d)));
  const nx = norms(x);
  const nmu = norms(mu);
  const n = nmu.length;
  const maxMu = Math.max(...nmu);
  const c = 1 / (2 * sigma * sigma);
  const gamma = (d * U32) / (1 - d * U32);
  return nx.map((v) => 2 * (2 * c * (gamma + 2 * U32) * (v + maxMu) ** 2 + (4 * n + 10) * U32 + 2 ** -21));
}

function expectWithin(got: Float64Array, want: Float64Array, bound: ArrayLike<number>, label: string): void {
  expect(got.length).toBe(want.length);
  for (let j = 0; j < want.length; j++) {
    const err = Math.abs(got[j]! - want[j]!);
    if (!(err <= bound[j]!)) expect.fail(`${label}: point ${j}: got ${got[j]}, want ${want[j]} (error ${err}, bound ${bound[j]})`);
  }
}

interface Case {
  m: number;
  n: number;
  d: number;
  sigma: number;
  seed: number;
  /** Rows of x that are exact copies of rows of mu (the cancellation case). */
  copies: number;
  batch: number;
  muBatch: number;
}

const caseArb = (maxD: number): fc.Arbitrary<Case> =>
  fc.record({
    m: fc.integer({ min: 1, max: 37 }),
    n: fc.integer({ min: 1, max: 70 }),
    d: fc.integer({ min: 1, max: maxD }),
    sigma: fc.double({ min: 0.1, max: 2, noNaN: true }),
    seed: fc.nat(),
    copies: fc.integer({ min: 0, max: 5 }),
    batch: fc.integer({ min: 1, max: 40 }),
    muBatch: fc.integer({ min: 1, max: 80 }),
  });

function caseData(c: Case): { x: Float32Array; mu: Float32Array } {
  const mu = randomData(c.n * c.d, c.seed, 0, 1);
  const x = randomData(c.m * c.d, c.seed ^ 0x5bd1e995, -0.25, 1.25);
  for (let k = 0; k < Math.min(c.copies, c.m); k++) {
    const src = (k * 7) % c.n;
    x.set(mu.subarray(src * c.d, (src + 1) * c.d), k * c.d);
  }
  return { x, mu };
}

const upload = (data: ArrayLike<number>, rows: number, d: number, device: Device, dtype: DType = 'f32'): Tensor =>
  fromArray(data, [rows, d], { device, dtype });

describe('parzenLogLikelihood: the algorithm, in float64 on the CPU device', () => {
  it('matches parzenLogLikelihoodCpu to 1e-9 for every blocking of x and mu', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb(64), async (c) => {
        const { x, mu } = caseData(c);
        const xt = upload(x, c.m, c.d, cpu, 'f64');
        const mt = upload(mu, c.n, c.d, cpu, 'f64');
        const got = await parzenLogLikelihood(xt, mt, c.sigma, { batch: c.batch, muBatch: c.muBatch });
        const want = parzenLogLikelihoodCpu(x, mu, c.d, c.sigma);
        // float64 cancellation in |x|² + |mu|² - 2x·mu: ~d·2^-53·(|x| + |mu|)²·c, far below 1e-9 here.
        expectWithin(
          got,
          want,
          want.map((w) => 1e-9 * Math.max(1, Math.abs(w))),
          'f64',
        );
        xt.dispose();
        mt.dispose();
      }),
      { numRuns: 25 },
    );
  });
});

describe.each(DEVICE_NAMES)('parzenLogLikelihood in f32 on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('matches the float64 reference within the f32 cancellation bound (random shapes, blockings, copies of samples)', async () => {
    const dev = await device();
    await fc.assert(
      fc.asyncProperty(caseArb(100), async (c) => {
        const { x, mu } = caseData(c);
        const xt = upload(x, c.m, c.d, dev);
        const mt = upload(mu, c.n, c.d, dev);
        const got = await parzenLogLikelihood(xt, mt, c.sigma, { batch: c.batch, muBatch: c.muBatch });
        expectWithin(got, parzenLogLikelihoodCpu(x, mu, c.d, c.sigma), f32Bound(x, mu, c.d, c.sigma), `case ${JSON.stringify(c)}`);
        xt.dispose();
        mt.dispose();
      }),
      { numRuns: 15 },
    );
  });

  it('equals the closed-form Gaussian log-density for a single sample, also far in the tails (d up to 784)', async () => {
    const dev = await device();
    for (const [d, sigma, spread, seed] of [
      [1, 0.3, 1, 1],
      [17, 0.1, 1, 2],
      [784, 0.2, 1, 3],
      [784, 1, 4, 4],
      [300, 0.05, 2, 5],
    ] as const) {
      const m = 6;
      const mu = randomData(d, seed, 0, 1);
      const x = randomData(m * d, seed + 100, -spread, spread);
      x.set(mu, 0); // x_0 = mu: distance 0, the cancellation extreme
      const xt = upload(x, m, d, dev);
      const mt = upload(mu, 1, d, dev);
      const got = await parzenLogLikelihood(xt, mt, sigma);
      xt.dispose();
      mt.dispose();
      const want = Float64Array.from({ length: m }, (_, j) => {
        let d2 = 0;
        for (let k = 0; k < d; k++) d2 += (x[j * d + k]! - mu[k]!) ** 2;
        return -d2 / (2 * sigma * sigma) - d * Math.log(sigma * Math.sqrt(2 * Math.PI));
      });
      expectWithin(got, want, f32Bound(x, mu, d, sigma), `d ${d}, sigma ${sigma}`);
      // The tails: where the density itself underflows even float64 (log p < -745), the log is still finite.
      if (d >= 300) expect(Math.min(...got)).toBeLessThan(-745);
      expect(got.every(Number.isFinite)).toBe(true);
    }
  });

  it('never exceeds the peak density of the window, even when cancellation makes |x - mu|² negative (the clamp)', async () => {
    const dev = await device();
    // Large norms (|x|² ~ 4·10^6, an f32 ulp of 0.25 to 0.5) and x = mu exactly: |x|² + |mu|² - 2x·mu
    // comes out a few units off 0, of either sign. Unclamped, a negative one would put log p(x)
    // c·|error| above the peak -d·log(sigma·sqrt(2 pi)), which no mixture of these windows reaches.
    const [d, n, sigma] = [784, 3, 0.1];
    const mu = randomData(n * d, 21, 50, 100);
    const x = mu.slice();
    const [xt, mt] = [upload(x, n, d, dev), upload(mu, n, d, dev)];
    const got = await parzenLogLikelihood(xt, mt, sigma);
    xt.dispose();
    mt.dispose();
    const peak = -d * Math.log(sigma * Math.sqrt(2 * Math.PI));
    // log p(x_j) = log((1/n)(1 + Σ_{i≠j} tiny)) + peak: the other samples are ~10^5 nats away.
    for (const v of got) {
      expect(v).toBeLessThanOrEqual(peak - Math.log(n) + 1e-6);
      expect(v).toBeGreaterThan(peak - Math.log(n) - f32Bound(x, mu, d, sigma)[0]!);
    }
  });

  it('one pass over several sigmas gives what separate calls give', async () => {
    const dev = await device();
    const [m, n, d] = [9, 23, 31];
    const xt = upload(randomData(m * d, 7, 0, 1), m, d, dev);
    const mt = upload(randomData(n * d, 8, 0, 1), n, d, dev);
    const sigmas = [0.1, 0.35, 1.7];
    const all = await parzenLogLikelihoods(xt, mt, sigmas, { muBatch: 10, batch: 4 });
    for (let s = 0; s < sigmas.length; s++) {
      expect(Array.from(all[s]!)).toEqual(Array.from(await parzenLogLikelihood(xt, mt, sigmas[s]!, { muBatch: 10, batch: 4 })));
    }
    xt.dispose();
    mt.dispose();
  });

  it('selectSigma and parzenEvaluate follow parzen_ll.py (argmax of validation means; mean and standard error)', async () => {
    const dev = await device();
    const [n, d] = [60, 20];
    const mu = randomData(n * d, 11, 0, 1);
    // Validation and test points drawn near the samples (samples + noise): the best sigma is interior.
    const near = (seed: number, rows: number) => {
      const noise = randomData(rows * d, seed, -0.3, 0.3);
      return noise.map((v, i) => v + mu[(i + seed * d) % (n * d)]!);
    };
    const valid = near(12, 30);
    const test = near(13, 25);
    const grid = sigmaGrid();
    const [vt, mt, tt] = [upload(valid, 30, d, dev), upload(mu, n, d, dev), upload(test, 25, d, dev)];
    const { sigma, perSigma } = await selectSigma(vt, mt, grid, { count: 20 });
    const refMeans = grid.map((s) => meanAndStdErr(parzenLogLikelihoodCpu(valid.subarray(0, 20 * d), mu, d, s)).mean);
    const best = refMeans.indexOf(Math.max(...refMeans));
    expect(best).toBeGreaterThan(0);
    expect(best).toBeLessThan(grid.length - 1);
    expect(sigma).toBe(grid[best]);
    perSigma.forEach((p, i) => {
      expect(p.sigma).toBe(grid[i]);
      expect(Math.abs(p.mean - refMeans[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(refMeans[i]!)));
    });

    const result = await parzenEvaluate({ samples: mt, validation: vt, test: tt, validationCount: 20 });
    expect(result.sigma).toBe(sigma);
    const ref = meanAndStdErr(parzenLogLikelihoodCpu(test, mu, d, sigma));
    expect(Math.abs(result.mean - ref.mean)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.mean)));
    expect(Math.abs(result.stdErr - ref.stdErr)).toBeLessThan(1e-3 * Math.max(1, ref.stdErr));
    expect(result.logLikelihoods).toHaveLength(25);
    expect(result.perSigma).toHaveLength(grid.length);

    const fixed = await parzenEvaluate({ samples: mt, test: tt, sigma: 0.3 });
    expect(fixed.sigma).toBe(0.3);
    expect(fixed.perSigma).toEqual([]);
    for (const t of [vt, mt, tt]) t.dispose();
  });

  it('rejects bad inputs with errors that name the op and the shapes, and leaks no tensors', async () => {
    const dev = await device();
    const x = upload(new Float32Array(12), 3, 4, dev);
    const mu = upload(new Float32Array(10), 2, 5, dev);
    await expect(parzenLogLikelihood(x, mu, 0.2)).rejects.toThrow(/parzenLogLikelihood: x has shape \[3, 4\] and mu \[2, 5\]; expected the same dimension d/);
    const mu4 = upload(new Float32Array(8), 2, 4, dev);
    await expect(parzenLogLikelihood(x, mu4, 0)).rejects.toThrow(SaddleError);
    await expect(parzenLogLikelihood(x, mu4, 0.2, { batch: 0 })).rejects.toThrow(/batch is 0/);
    await expect(parzenEvaluate({ samples: mu4, test: x })).rejects.toThrow(/neither sigma nor validation/);
    // (Every earlier test disposes what it makes, so no garbage collection changes the count meanwhile.)
    const before = liveTensorCount();
    await parzenLogLikelihoods(x, mu4, [0.1, 1], { batch: 2, muBatch: 1 });
    await selectSigma(x, mu4, [0.1, 1], { count: 2 });
    expect(liveTensorCount()).toBe(before);
    for (const t of [x, mu, mu4]) t.dispose();
  });
});

describe('parzen blocks', () => {
  it('the full protocol (10 000 × 10 000 × 784) runs in [<=2^22-element] blocks', () => {
    const { batch, muBatch } = parzenBlocks(10_000, 10_000);
    expect(muBatch).toBe(5000);
    expect(batch * muBatch).toBeLessThanOrEqual(1 << 22);
    expect(batch).toBeGreaterThan(100);
    expect(parzenBlocks(3, 7)).toEqual({ batch: 3, muBatch: 7 });
    expect(parzenBlocks(100, 50, { batch: 8, muBatch: 500 })).toEqual({ batch: 8, muBatch: 50 });
  });
});

describe('Parzen on MNIST (WebGPU)', () => {
  it('training images as the "samples" score the test digits far above uniform noise', async () => {
    const dev = await webgpu();
    const mnist = await loadMnist();
    const d = MNIST_PIXELS;
    const [n, mv, mt] = [500, 100, 100];
    const train = upload(mnist.train.images.subarray(0, n * d), n, d, dev);
    const noise = upload(randomData(n * d, 99, 0, 1), n, d, dev);
    const validation = upload(mnist.validation.images.subarray(0, mv * d), mv, d, dev);
    const test = upload(mnist.test.images.subarray(0, mt * d), mt, d, dev);
    const good = await parzenEvaluate({ samples: train, validation, test });
    const bad = await parzenEvaluate({ samples: noise, validation, test });
    // Digits under a window on digits vs on noise: hundreds of nats apart (and sigma adapts to each).
    expect(good.mean).toBeGreaterThan(bad.mean + 200);
    expect(good.sigma).toBeLessThan(bad.sigma);
    // Scoring the samples themselves (each test point has a sample at distance 0) is better still.
    const self = await parzenLogLikelihood(train, train, good.sigma);
    expect(meanAndStdErr(self).mean).toBeGreaterThan(good.mean);
    // The device agrees with the float64 reference on real digits (sigma = 0.2, where Table 1 lands).
    const xs = mnist.test.images.subarray(0, 20 * d);
    const ms = mnist.train.images.subarray(0, 200 * d);
    const [xt, st] = [upload(xs, 20, d, dev), upload(ms, 200, d, dev)];
    const got = await parzenLogLikelihood(xt, st, 0.2, { muBatch: 64 });
    xt.dispose();
    st.dispose();
    const want = parzenLogLikelihoodCpu(xs, ms, d, 0.2);
    expectWithin(got, want, f32Bound(xs, ms, d, 0.2), 'MNIST');
    expect(Math.max(...got.map((g, j) => Math.abs(g - want[j]!)))).toBeLessThan(0.05); // observed ~1e-3
    for (const t of [train, noise, validation, test]) t.dispose();
  });
});
