/**
 * Parzen-window log-likelihood, the CPU reference (Table 1 of the paper; the protocol of Breuleux,
 * Bengio and Vincent, 2011, as in the paper's `parzen_ll.py`).
 *
 * Generated samples mu_1..mu_n (each of dimension d) define an isotropic Gaussian mixture
 *   p(x) = (1/n) Σ_i N(x; mu_i, sigma² I),
 * and a model is scored by the mean log p(x) over test points x. Expanded,
 *   log p(x) = logsumexp_i(-|x - mu_i|² / (2 sigma²)) - log n - d log(sigma sqrt(2 pi)).
 *
 * Numerical care: with d = 784 and sigma ≈ 0.2, the exponents are in the thousands below zero, so
 * exp underflows to 0 for every i and a naive log Σ exp gives -Infinity. logsumexp subtracts the
 * largest exponent first (m = max_i a_i; log Σ exp a_i = m + log Σ exp(a_i - m)), so the largest term
 * is exp(0) = 1 and nothing is lost that matters. Squared distances are accumulated from the
 * differences x - mu (not from |x|² + |mu|² - 2 x·mu, which cancels catastrophically when x is near
 * mu) in float64. The cost is m · n · d multiply-adds: ~8·10^10 for the full 10k × 10k MNIST protocol,
 * minutes on the CPU, which is why the GPU version exists; this one is the yardstick.
 */

function checkRows(what: string, values: ArrayLike<number>, d: number): number {
  if (values.length % d !== 0) throw new RangeError(`parzenLogLikelihoodCpu: ${what} has ${values.length} values, not a multiple of d = ${d}`);
  return values.length / d;
}

/**
 * Per-point Parzen log-likelihoods: `x` holds m test points and `mu` n samples, each row-major with
 * `d` values per point. Returns log p(x_j) for j = 0..m-1, in float64.
 */
export function parzenLogLikelihoodCpu(x: ArrayLike<number>, mu: ArrayLike<number>, d: number, sigma: number): Float64Array {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`parzenLogLikelihoodCpu: d is ${d}; expected a positive integer`);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`parzenLogLikelihoodCpu: sigma is ${sigma}; expected a positive number`);
  const m = checkRows('x', x, d);
  const n = checkRows('mu', mu, d);
  if (n === 0) throw new RangeError('parzenLogLikelihoodCpu: mu holds no samples');

  const inv2s2 = 1 / (2 * sigma * sigma);
  const constant = -Math.log(n) - d * Math.log(sigma * Math.sqrt(2 * Math.PI));
  const out = new Float64Array(m);
  const a = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    const xo = j * d;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const mo = i * d;
      let dist2 = 0;
      for (let k = 0; k < d; k++) {
        const diff = x[xo + k]! - mu[mo + k]!;
        dist2 += diff * diff;
      }
      const ai = -dist2 * inv2s2;
      a[i] = ai;
      if (ai > max) max = ai;
    }
    out[j] = logSumExpShifted(a, max) + constant;
  }
  return out;
}

/** log Σ exp(a_i), given max = max_i a_i (non-finite max: NaN inputs, or all -Infinity). */
function logSumExpShifted(a: Float64Array, max: number): number {
  if (!Number.isFinite(max)) return a.some(Number.isNaN) ? NaN : max; // all -Infinity, or some +Infinity
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.exp(a[i]! - max);
  return max + Math.log(sum);
}

/** A numerically stable log Σ exp(values). */
export function logSumExp(values: ArrayLike<number>): number {
  const a = Float64Array.from(values);
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! > max) max = a[i]!;
  return logSumExpShifted(a, max);
}

/**
 * Mean and standard error of the mean, std / sqrt(N) with the population std (numpy's default
 * ddof = 0), as the paper's `parzen_ll.py` reports Table 1's "mean ± se".
 */
export function meanAndStdErr(values: ArrayLike<number>): { mean: number; stdErr: number } {
  const count = values.length;
  if (count === 0) return { mean: NaN, stdErr: NaN };
  let mean = 0;
  for (let i = 0; i < count; i++) mean += values[i]!;
  mean /= count;
  let ss = 0;
  for (let i = 0; i < count; i++) {
    const dv = values[i]! - mean;
    ss += dv * dv;
  }
  return { mean, stdErr: Math.sqrt(ss / count) / Math.sqrt(count) };
}

/** logspace(-1, 0, 10): the sigmas cross-validated on the validation set, as in `parzen_ll.py`. */
export function sigmaGrid(start = -1, end = 0, count = 10): number[] {
  if (count === 1) return [10 ** start];
  // numpy's linspace: start + i * step, with the last point exactly `end`.
  const step = (end - start) / (count - 1);
  return Array.from({ length: count }, (_, i) => 10 ** (i === count - 1 ? end : start + i * step));
}
