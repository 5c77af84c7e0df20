/**
 * Section 4 of the paper on a one-dimensional toy, where every density is known in closed form.
 *
 * p_data = N(mean_d, std_d²); the generator is fixed, G(z) = mean_g + std_g·z with z ~ N(0, 1), so
 * p_g = N(mean_g, std_g²). Proposition 1: for a fixed G the discriminator that maximises
 *   V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 - D(G(z)))]
 * is D*(x) = p_data(x) / (p_data(x) + p_g(x)). Theorem 1: C(G) = max_D V(D, G) = -log 4 + 2·JSD(p_data ‖ p_g),
 * whose minimum -log 4 is reached exactly at p_g = p_data, where D* = 1/2 everywhere.
 *
 * `trainToyDiscriminator` trains a small MLP discriminator (logits, sigmoid cross-entropy, SGD with
 * momentum) against the fixed generator, on the device given, seeded and deterministic; the tests
 * compare it with `optimalDiscriminator` on a grid of the high-density region and compare its value
 * with `optimalValue`.
 */
import { SaddleError, add, fromArray, mul, noGrad, randn, sigmoidBce, slice, tidy, Generator, defaultDevice, type Device, type Tensor } from '@saddle/autograd';
import { SGD, init, mlp, type Sequential } from '@saddle/nn';
import { ValueEstimator } from '../metrics/value.js';

/** A normal distribution N(mean, std²) on the real line. */
export interface Gaussian1d {
  mean: number;
  std: number;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log N(x; mean, std²). */
export function gaussianLogPdf(x: number, mean: number, std: number): number {
  const z = (x - mean) / std;
  return -0.5 * z * z - Math.log(std) - LOG_SQRT_2PI;
}

/** N(x; mean, std²). */
export function gaussianPdf(x: number, mean: number, std: number): number {
  return Math.exp(gaussianLogPdf(x, mean, std));
}

function checkGaussian(op: string, name: string, g: Gaussian1d): void {
  if (!Number.isFinite(g.mean) || !(g.std > 0) || !Number.isFinite(g.std)) {
    throw new SaddleError(op, `${name} is N(${g.mean}, ${g.std}²); expected a finite mean and a positive finite std`);
  }
}

/**
 * The log-odds of the optimal discriminator, log p_data(x) - log p_g(x) (D* = sigmoid of it),
 * computed from log-densities so that it stays finite far in the tails.
 */
export function optimalLogit(x: ArrayLike<number>, pdata: Gaussian1d, pg: Gaussian1d): Float64Array {
  checkGaussian('optimalLogit', 'pdata', pdata);
  checkGaussian('optimalLogit', 'pg', pg);
  return Float64Array.from({ length: x.length }, (_, i) => gaussianLogPdf(x[i]!, pdata.mean, pdata.std) - gaussianLogPdf(x[i]!, pg.mean, pg.std));
}

/** D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Proposition 1), on each point of `x`. */
export function optimalDiscriminator(x: ArrayLike<number>, pdata: Gaussian1d, pg: Gaussian1d): Float64Array {
  return optimalLogit(x, pdata, pg).map((l) => (l >= 0 ? 1 / (1 + Math.exp(-l)) : Math.exp(l) / (1 + Math.exp(l))));
}

const softplus = (y: number) => Math.max(y, 0) + Math.log1p(Math.exp(-Math.abs(y)));

/** ∫ f(x) dx over [lo, hi] by composite Simpson's rule with `intervals` (even) intervals. */
function simpson(f: (x: number) => number, lo: number, hi: number, intervals: number): number {
  const h = (hi - lo) / intervals;
  let s = f(lo) + f(hi);
  for (let i = 1; i < intervals; i++) s += (i % 2 ? 4 : 2) * f(lo + i * h);
  return (s * h) / 3;
}

/** The integration range: 12 standard deviations around both means (the tails beyond weigh < 1e-30). */
function range(pdata: Gaussian1d, pg: Gaussian1d): [number, number] {
  return [Math.min(pdata.mean - 12 * pdata.std, pg.mean - 12 * pg.std), Math.max(pdata.mean + 12 * pdata.std, pg.mean + 12 * pg.std)];
}

/**
 * V(D*, G) = E_{p_data}[log D*(x)] + E_{p_g}[log(1 - D*(x))], by quadrature (Simpson, 20 000
 * intervals): the value of the game for this G, C(G) of Theorem 1.
 */
export function optimalValue(pdata: Gaussian1d, pg: Gaussian1d): number {
  checkGaussian('optimalValue', 'pdata', pdata);
  checkGaussian('optimalValue', 'pg', pg);
  const [lo, hi] = range(pdata, pg);
  return simpson(
    (x) => {
      const lpd = gaussianLogPdf(x, pdata.mean, pdata.std);
      const lpg = gaussianLogPdf(x, pg.mean, pg.std);
      const l = lpd - lpg; // log-odds of D*
      // p_data · log D* + p_g · log(1 - D*), with log D* = -softplus(-l), log(1 - D*) = -softplus(l).
      return -Math.exp(lpd) * softplus(-l) - Math.exp(lpg) * softplus(l);
    },
    lo,
    hi,
    20_000,
  );
}

/** JSD(p_data ‖ p_g) in nats, by quadrature (independently of `optimalValue`: from the mixture M = (p + q)/2). */
export function jensenShannon(pdata: Gaussian1d, pg: Gaussian1d): number {
  checkGaussian('jensenShannon', 'pdata', pdata);
  checkGaussian('jensenShannon', 'pg', pg);
  const [lo, hi] = range(pdata, pg);
  const kl = (p: Gaussian1d) =>
    simpson(
      (x) => {
        const pp = gaussianPdf(x, p.mean, p.std);
        const m = 0.5 * (gaussianPdf(x, pdata.mean, pdata.std) + gaussianPdf(x, pg.mean, pg.std));
        return pp > 0 ? pp * Math.log(pp / m) : 0;
      },
      lo,
      hi,
      20_000,
    );
  return 0.5 * kl(pdata) + 0.5 * kl(pg);
}

/**
 * `count` evenly spaced points of the high-density region: where the mixture (p_data + p_g)/2 is
 * at least `minDensity` (default 0.05), between the outermost such points of a fine scan.
 */
export function highDensityGrid(pdata: Gaussian1d, pg: Gaussian1d, options: { count?: number; minDensity?: number } = {}): Float64Array {
  const { count = 101, minDensity = 0.05 } = options;
  const [lo, hi] = range(pdata, pg);
  const scan = 100_000;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i <= scan; i++) {
    const x = lo + ((hi - lo) * i) / scan;
    if (0.5 * (gaussianPdf(x, pdata.mean, pdata.std) + gaussianPdf(x, pg.mean, pg.std)) >= minDensity) {
      first = Math.min(first, x);
      last = Math.max(last, x);
    }
  }
  if (!(first <= last)) throw new SaddleError('highDensityGrid', `the mixture density never reaches ${minDensity}`);
  return Float64Array.from({ length: count }, (_, i) => (count === 1 ? first : first + ((last - first) * i) / (count - 1)));
}

/** Options of the 1-D toy discriminator: the two distributions, device, seed, widths, steps. */
export interface ToyDiscriminatorOptions {
  pdata: Gaussian1d;
  /** The fixed generator's distribution: G(z) = pg.mean + pg.std·z, z ~ N(0, 1). */
  pg: Gaussian1d;
  device?: Device;
  /** Seeds the initial weights and the training samples (default 1). */
  seed?: number;
  /** Hidden widths of D, ReLU (default [32]). */
  hidden?: readonly number[];
  /** SGD steps (default 400). */
  steps?: number;
  /** Points per side per step: `batch` from p_data and `batch` from G (default 128). */
  batch?: number;
  /** Learning rate (default 0.1). */
  lr?: number;
  /** Momentum (default 0.9). */
  momentum?: number;
  /** Read the loss back every this many steps (default 100; the last step always). */
  lossEvery?: number;
}

/** The small discriminator of the 1-D toy (Figure 1), trained against fixed p_data and p_g. */
export interface ToyDiscriminator {
  /** D as logits: [B, 1] → [B, 1]; D(x) = sigmoid(net(x)). */
  readonly net: Sequential;
  readonly device: Device;
  /** Sampled training losses, -V(D, G)/2 on the step's batch (the mean BCE over both sides). */
  readonly losses: { step: number; loss: number }[];
  /** D's logits at the points `x`. */
  logits(x: ArrayLike<number>): Promise<Float64Array>;
  /** D(x) = sigmoid(logit) at the points `x`. */
  probabilities(x: ArrayLike<number>): Promise<Float64Array>;
  /**
   * V(D, G) estimated on `count` fresh points from each side (held out: drawn from a generator seeded
   * with `seed`, default 12345), with `valueFunction`'s stable log D and log(1 - D).
   */
  value(options?: { count?: number; seed?: number }): Promise<number>;
  /** Frees its parameters. */
  dispose(): void;
}

/**
 * Samples `2·batch` points as one [2B, 1] column: rows 0..B-1 from p_data, rows B..2B-1 from G(z).
 * One randn, one multiply and one add (per-row scale and shift columns).
 */
function sampler(pdata: Gaussian1d, pg: Gaussian1d, batch: number, device: Device) {
  const scale = fromArray(
    Float32Array.from({ length: 2 * batch }, (_, i) => (i < batch ? pdata.std : pg.std)),
    [2 * batch, 1],
    { device },
  );
  const shift = fromArray(
    Float32Array.from({ length: 2 * batch }, (_, i) => (i < batch ? pdata.mean : pg.mean)),
    [2 * batch, 1],
    { device },
  );
  return {
    draw: (generator: Generator): Tensor => add(mul(randn([2 * batch, 1], { generator, device }), scale), shift),
    dispose: () => {
      scale.dispose();
      shift.dispose();
    },
  };
}

/** Trains D against the fixed generator (Proposition 1's setting); see the module comment. */
export async function trainToyDiscriminator(options: ToyDiscriminatorOptions): Promise<ToyDiscriminator> {
  const { pdata, pg, seed = 1, hidden = [32], steps = 400, batch = 128, lr = 0.1, momentum = 0.9, lossEvery = 100 } = options;
  checkGaussian('trainToyDiscriminator', 'pdata', pdata);
  checkGaussian('trainToyDiscriminator', 'pg', pg);
  if (!Number.isInteger(steps) || steps < 0) throw new SaddleError('trainToyDiscriminator', `steps is ${steps}; expected a non-negative integer`);
  if (!Number.isInteger(batch) || batch < 1) throw new SaddleError('trainToyDiscriminator', `batch is ${batch}; expected a positive integer`);
  const device = options.device ?? defaultDevice();
  const initGen = new Generator(seed);
  const dataGen = new Generator(seed + 0x9e37);
  const net = mlp([1, ...hidden, 1], { device, generator: initGen, activation: 'relu', outputActivation: 'none', weightInit: init.glorotUniform() });
  const opt = new SGD(net.parameters(), { lr, momentum });
  const data = sampler(pdata, pg, batch, device);
  // Targets: 1 for the real half, 0 for the generated half.
  const targets = fromArray(
    Float32Array.from({ length: 2 * batch }, (_, i) => (i < batch ? 1 : 0)),
    [2 * batch, 1],
    { device },
  );
  const losses: { step: number; loss: number }[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const loss = tidy(() => {
        opt.zeroGrad();
        const x = data.draw(dataGen);
        const l = sigmoidBce(net.forward(x), targets);
        l.backward();
        opt.step();
        return l;
      });
      if (step % lossEvery === 0 || step === steps - 1) losses.push({ step, loss: await loss.item() });
      loss.dispose();
    }
  } finally {
    data.dispose();
    targets.dispose();
    opt.dispose();
  }

  const logits = async (xs: ArrayLike<number>): Promise<Float64Array> => {
    if (xs.length === 0) return new Float64Array(0);
    const out = noGrad(() =>
      tidy(() => {
        const x = fromArray(Float32Array.from(xs), [xs.length, 1], { device });
        return net.forward(x);
      }),
    );
    const values = Float64Array.from(await out.toArray());
    out.dispose();
    return values;
  };

  return {
    net,
    device,
    losses,
    logits,
    probabilities: async (xs) => (await logits(xs)).map((l) => (l >= 0 ? 1 / (1 + Math.exp(-l)) : Math.exp(l) / (1 + Math.exp(l)))),
    async value({ count = 4096, seed: heldOutSeed = 12345 } = {}) {
      const estimator = new ValueEstimator();
      const gen = new Generator(heldOutSeed);
      const chunk = Math.min(count, 4096);
      const held = sampler(pdata, pg, chunk, device);
      try {
        for (let done = 0; done < count; done += chunk) {
          const rows = Math.min(chunk, count - done);
          noGrad(() =>
            tidy(() => {
              const x = held.draw(gen);
              const l = net.forward(x); // rows 0..chunk-1 real, chunk..2·chunk-1 generated
              estimator.add(slice(l, [0, 0], [rows, 1]), slice(l, [chunk, 0], [rows, 1]));
            }),
          );
        }
        return (await estimator.result()).value;
      } finally {
        held.dispose();
        estimator.dispose();
      }
    },
    dispose() {
      net.dispose();
    },
  };
}
