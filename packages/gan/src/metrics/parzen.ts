/**
 * Parzen-window log-likelihood on the device: Table 1 of the paper, with the protocol of the
 * authors' `parzen_ll.py` (Breuleux, Bengio and Vincent, 2011). `parzen-cpu.ts` is the float64
 * reference; this is the same estimate as a handful of tensor ops, so the full MNIST protocol
 * (10 000 test points × 10 000 samples × 784 pixels ≈ 8·10^10 multiply-adds, and the same again ten
 * times smaller for each sigma of the cross-validation) runs as matrix products on the GPU.
 *
 * The samples mu_1..mu_n define p(x) = (1/n) Σ_i N(x; mu_i, sigma² I), and
 *   log p(x) = logsumexp_i(-|x - mu_i|² / (2 sigma²)) - log n - d log(sigma sqrt(2 pi)).
 *
 * The squared distances of a block of test points against a block of samples come from one matmul:
 *   |x - mu|² = |x|² + |mu|² - 2 x·mu.
 * The matmul multiplies x by (-2 mu)ᵀ (scaling by -2 is exact in floating point) and adds |mu|² as
 * its bias, in the kernel's epilogue; |x|² is then added by broadcasting a [rows, 1] column. The
 * expansion is cheap but cancels: when x is near mu the three terms are ~|x|² each and their sum is
 * ~0, so the result carries an absolute error of a few ulps of |x|² (up to K·u·(|x| + |mu|)², K the
 * reduction length, u = 2^-24 in f32) and may come out slightly negative; it is clamped at 0. That
 * error is divided by 2 sigma² in the exponent: with MNIST's |x|² ≈ 100 and sigma = 0.2, typically
 * 10^-3 nats, against log-likelihoods in the hundreds (see the bound in test/parzen.test.ts).
 *
 * The log-sum-exp is stable: per row, the smallest squared distance dmin is subtracted before the
 * exponential, so the largest term is exp(0) = 1 and the sum lies in [1, n]:
 *   logsumexp_i(-c d_i) = -c dmin + log Σ_i exp(-c (d_i - dmin)),   c = 1 / (2 sigma²).
 * The device returns dmin and log Σ exp per row (both of moderate size); the large term -c·dmin, the
 * combination of the blocks of samples (an exact log-sum-exp of the per-block results) and the
 * constants are done on the host in float64. The distances do not depend on sigma, so one pass
 * serves every sigma of the cross-validation grid.
 *
 * Memory: the work is blocked — `batch` test points against `muBatch` samples at a time — so the
 * largest temporaries are [batch, muBatch] (about 2^22 elements by default, 16 MiB in f32), whatever
 * m and n are; they are freed as soon as used and the device is flushed between steps (the buffer
 * pool reuses a freed buffer only after a submit), so a handful are alive at once. Each block of test
 * points is read back once (a few values per row), which also bounds how much work is queued.
 */
import {
  SaddleError,
  add,
  concat,
  contiguous,
  exp,
  fmtShape,
  isFloat,
  keep,
  log,
  matmul,
  max,
  maximum,
  mul,
  neg,
  noGrad,
  reshape,
  slice,
  square,
  sub,
  sum,
  tidy,
  type Tensor,
} from '@saddle/autograd';
import { logSumExp, meanAndStdErr, sigmaGrid } from './parzen-cpu.js';

/** Options of the Parzen-window estimate: how many test points and samples go in one block. */
export interface ParzenOptions {
  /** Test points (rows of x) per block; by default about 2^22 / muBatch. */
  batch?: number;
  /** Samples (rows of mu) per block; by default all of them up to 8192, else equal blocks of at most 8192. */
  muBatch?: number;
}

/** Per-sigma results of the cross-validation. */
export interface SigmaScore {
  sigma: number;
  /** Mean log-likelihood of the validation points under the Parzen window of this width. */
  mean: number;
}

const MAX_MU_BATCH = 8192;
const BLOCK_ELEMENTS = 1 << 22;

function checkInputs(op: string, x: Tensor, mu: Tensor, sigmas: readonly number[]): void {
  x.assertAlive(op);
  mu.assertAlive(op);
  if (x.rank !== 2 || mu.rank !== 2) {
    throw new SaddleError(op, `x has shape ${fmtShape(x.shape)} and mu ${fmtShape(mu.shape)}; expected [m, d] and [n, d]`);
  }
  if (x.shape[1] !== mu.shape[1]) {
    throw new SaddleError(op, `x has shape ${fmtShape(x.shape)} and mu ${fmtShape(mu.shape)}; expected the same dimension d`);
  }
  if (mu.shape[0] === 0) throw new SaddleError(op, `mu has shape ${fmtShape(mu.shape)}; expected at least one sample`);
  if (x.shape[1] === 0) throw new SaddleError(op, `x has shape ${fmtShape(x.shape)}; expected d >= 1`);
  if (x.device !== mu.device) {
    throw new SaddleError(op, `x is on ${x.device.name} and mu on ${mu.device.name}; expected one device`);
  }
  if (x.dtype !== mu.dtype || !isFloat(x.dtype)) {
    throw new SaddleError(op, `x is ${x.dtype} and mu ${mu.dtype}; expected one float dtype`);
  }
  if (sigmas.length === 0) throw new SaddleError(op, 'no sigma given');
  for (const s of sigmas) {
    if (!(s > 0) || !Number.isFinite(s)) throw new SaddleError(op, `sigma is ${s}; expected a positive finite number`);
  }
}

function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new SaddleError(op, `${name} is ${v}; expected a positive integer`);
  return v;
}

/** The block sizes: samples per block and test points per block. */
export function parzenBlocks(m: number, n: number, opts: ParzenOptions = {}): { batch: number; muBatch: number } {
  const muBatch = opts.muBatch !== undefined ? Math.min(positiveInt('parzen', 'muBatch', opts.muBatch), n) : Math.ceil(n / Math.ceil(n / MAX_MU_BATCH));
  const batch =
    opts.batch !== undefined
      ? Math.min(positiveInt('parzen', 'batch', opts.batch), Math.max(m, 1))
      : Math.max(1, Math.min(Math.max(m, 1), Math.floor(BLOCK_ELEMENTS / muBatch)));
  return { batch, muBatch };
}

/**
 * Per-point Parzen log-likelihoods for several window widths at once (the distances are shared):
 * returns one Float64Array of m values per sigma, in the order of `sigmas`.
 */
export async function parzenLogLikelihoods(x: Tensor, mu: Tensor, sigmas: readonly number[], opts: ParzenOptions = {}): Promise<Float64Array[]> {
  const op = 'parzenLogLikelihood';
  checkInputs(op, x, mu, sigmas);
  const [m, d] = x.shape as [number, number];
  const n = mu.shape[0]!;
  const { batch, muBatch } = parzenBlocks(m, n, opts);
  const out = sigmas.map(() => new Float64Array(m));
  if (m === 0) return out;
  const cs = sigmas.map((s) => 1 / (2 * s * s));
  const constants = sigmas.map((s) => -Math.log(n) - d * Math.log(s * Math.sqrt(2 * Math.PI)));

  // The blocks of samples, prepared once: -2·mu (the matmul's right operand) and |mu|² (its bias).
  const blocks: { muNeg2: Tensor; mu2: Tensor; rows: number }[] = [];
  try {
    for (let i0 = 0; i0 < n; i0 += muBatch) {
      const rows = Math.min(muBatch, n - i0);
      blocks.push(
        noGrad(() =>
          tidy(() => {
            const block = contiguous(slice(mu, [i0, 0], [rows, d]));
            return { muNeg2: keep(mul(block, -2)), mu2: keep(sum(square(block), 1)), rows };
          }),
        ),
      );
    }
    const k = blocks.length;
    const S = sigmas.length;
    const terms = new Float64Array(k);
    for (let j0 = 0; j0 < m; j0 += batch) {
      const rows = Math.min(batch, m - j0);
      // One tensor per block of test points: for each block of samples, dmin then log Σ exp per sigma.
      const packed = noGrad(() =>
        tidy(() => {
          const xb = contiguous(slice(x, [j0, 0], [rows, d]));
          const x2 = sum(square(xb), 1, true); // [rows, 1]
          const parts: Tensor[] = [];
          for (const { muNeg2, mu2 } of blocks) {
            parts.push(...blockStatistics(xb, x2, muNeg2, mu2, cs));
          }
          return concat(
            parts.map((p) => reshape(p, [rows])),
            0,
          );
        }),
      );
      const values = await packed.toArray();
      packed.dispose();
      // Host side, float64: L_b = -c·dmin_b + logS_b per block b, then log-sum-exp over the blocks.
      for (let s = 0; s < S; s++) {
        const c = cs[s]!;
        const target = out[s]!;
        for (let r = 0; r < rows; r++) {
          for (let b = 0; b < k; b++) {
            const base = b * (S + 1) * rows;
            const dmin = values[base + r]!;
            const logS = values[base + (s + 1) * rows + r]!;
            terms[b] = -c * dmin + logS;
          }
          target[j0 + r] = logSumExp(terms) + constants[s]!;
        }
      }
    }
  } finally {
    for (const b of blocks) {
      b.muNeg2.dispose();
      b.mu2.dispose();
    }
  }
  return out;
}

/**
 * For a block of test points xb [rows, d] (with x2 = |x|², [rows, 1]) against one block of samples:
 * [dmin, logS(c_0), logS(c_1), ...], each [rows, 1], where dmin is the smallest squared distance and
 * logS(c) = log Σ_i exp(-c (d_i - dmin)). The [rows, nb] temporaries are freed as soon as used.
 */
function blockStatistics(xb: Tensor, x2: Tensor, muNeg2: Tensor, mu2: Tensor, cs: readonly number[]): Tensor[] {
  const partial = matmul(xb, muNeg2, { transB: true, bias: mu2 }); // |mu|² - 2 x·mu, one kernel
  const unclamped = add(partial, x2);
  partial.dispose();
  const d2 = maximum(unclamped, 0); // cancellation can leave tiny negatives
  unclamped.dispose();
  const negD2 = neg(d2);
  const dmin = neg(max(negD2, 1, true));
  negD2.dispose();
  const t = sub(d2, dmin); // >= 0, exactly 0 at the nearest sample
  d2.dispose();
  // A released GPU buffer is reused only after the next submit: submitting here and after each
  // sigma keeps the [rows, nb] temporaries alive at any time to a few, not 5 + 2·sigmas.
  const device = t.device;
  device.flush();
  const out = [dmin];
  for (const c of cs) {
    const a = mul(t, -c);
    const e = exp(a);
    a.dispose();
    const s = sum(e, 1, true); // in [1, nb]
    e.dispose();
    out.push(log(s));
    device.flush();
  }
  t.dispose();
  return out;
}

/** Per-point Parzen log-likelihoods log p(x_j), j = 0..m-1, in float64 (x: [m, d], mu: [n, d]). */
export async function parzenLogLikelihood(x: Tensor, mu: Tensor, sigma: number, opts: ParzenOptions = {}): Promise<Float64Array> {
  return (await parzenLogLikelihoods(x, mu, [sigma], opts))[0]!;
}

/** Options of the search for the Parzen window width σ on the validation set. */
export interface SelectSigmaOptions extends ParzenOptions {
  /** Validation points used (the first ones); `parzen_ll.py`'s limit_size, 1000. */
  count?: number;
}

/**
 * Cross-validates the window width as `parzen_ll.py` does: the sigma of `grid` (default
 * logspace(-1, 0, 10)) with the best mean log-likelihood of the first `count` validation points.
 * Ties go to the first; NaN means count as -Infinity.
 */
export async function selectSigma(
  validation: Tensor,
  samples: Tensor,
  grid: readonly number[] = sigmaGrid(),
  opts: SelectSigmaOptions = {},
): Promise<{ sigma: number; perSigma: SigmaScore[] }> {
  const count = Math.min(opts.count ?? 1000, validation.shape[0] ?? 0);
  if (validation.rank !== 2 || count < 1) {
    throw new SaddleError('selectSigma', `validation has shape ${fmtShape(validation.shape)}; expected [m, d] with m >= 1`);
  }
  const head = count === validation.shape[0] ? validation : slice(validation, [0, 0], [count, validation.shape[1]!]);
  try {
    const lls = await parzenLogLikelihoods(head, samples, grid, opts);
    const perSigma = grid.map((sigma, i) => ({ sigma, mean: meanAndStdErr(lls[i]!).mean }));
    let best = 0;
    perSigma.forEach((p, i) => {
      const score = Number.isNaN(p.mean) ? -Infinity : p.mean;
      const bestScore = Number.isNaN(perSigma[best]!.mean) ? -Infinity : perSigma[best]!.mean;
      if (score > bestScore) best = i;
    });
    return { sigma: grid[best]!, perSigma };
  } finally {
    if (head !== validation) head.dispose();
  }
}

/** Options of a Parzen evaluation: σ chosen on validation, then the test log-likelihood. */
export interface ParzenEvaluateOptions extends ParzenOptions {
  /** The generated samples, [n, d] (the paper: 10 000). */
  samples: Tensor;
  /** Validation points for choosing sigma, [mv, d] (the first `validationCount` are used). */
  validation?: Tensor;
  /** The points scored, [m, d]. */
  test: Tensor;
  /** The grid cross-validated (default logspace(-1, 0, 10)). */
  sigmas?: readonly number[];
  /** A fixed sigma instead of cross-validation. */
  sigma?: number;
  /** Validation points used for the cross-validation (default 1000). */
  validationCount?: number;
}

/** A Parzen estimate: the mean log-likelihood, its standard error and the σ used. */
export interface ParzenResult {
  sigma: number;
  /** Mean test log-likelihood, in nats. */
  mean: number;
  /** Standard error of the mean (population std / sqrt(m)), as Table 1's "±". */
  stdErr: number;
  /** The cross-validation scores (empty when sigma was given). */
  perSigma: SigmaScore[];
  /** Per-test-point log-likelihoods. */
  logLikelihoods: Float64Array;
}

/** The Table 1 protocol: choose sigma on the validation points, then score the test points. */
export async function parzenEvaluate(opts: ParzenEvaluateOptions): Promise<ParzenResult> {
  const { samples, validation, test } = opts;
  let sigma: number;
  let perSigma: SigmaScore[] = [];
  if (opts.sigma !== undefined) sigma = opts.sigma;
  else {
    if (!validation) throw new SaddleError('parzenEvaluate', 'neither sigma nor validation points given; expected one of them');
    ({ sigma, perSigma } = await selectSigma(validation, samples, opts.sigmas ?? sigmaGrid(), { ...opts, count: opts.validationCount ?? 1000 }));
  }
  const logLikelihoods = await parzenLogLikelihood(test, samples, sigma, opts);
  const { mean, stdErr } = meanAndStdErr(logLikelihoods);
  return { sigma, mean, stdErr, perSigma, logLikelihoods };
}
