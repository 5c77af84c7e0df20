/**
 * The value function of the minimax game (eq. 1 of the paper),
 *   V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 - D(G(z)))],
 * estimated from the discriminator's logits l (D = sigmoid(l)) on real and on generated points.
 *
 * Computed from the logits, never from D itself: log D = log sigmoid(l) = -softplus(-l) and
 * log(1 - D) = log sigmoid(-l) = -softplus(l). softplus(y) = max(y, 0) + log(1 + exp(-|y|)) only
 * exponentiates non-positive numbers, so a confident discriminator (|l| = 100, where sigmoid(l)
 * rounds to exactly 1 or 0 in f32 and log(1 - D) would be -Infinity) still gives the exact value -100.
 *
 * V is -(BCE on the real points with target 1) - (BCE on the fake points with target 0); at the
 * optimum of Theorem 1 (p_g = p_data, D* = 1/2 everywhere) it is -log 4.
 */
import { SaddleError, add, concat, fmtShape, keep, mean, neg, noGrad, reshape, slice, softplus, sum, tidy, type Tensor } from '@saddle/autograd';
import type { Module } from '@saddle/nn';

/**
 * Frees an intermediate unless the tape recorded it (a recorded op's rule may have saved it; it then
 * belongs to the enclosing tidy, or to the garbage collector, like any recorded intermediate).
 */
function release(t: Tensor): void {
  if (!t.requiresGrad) t.dispose();
}

/** log D(x) = -softplus(-l), elementwise (differentiable). */
export function logD(logits: Tensor): Tensor {
  const a = neg(logits);
  const s = softplus(a);
  const out = neg(s);
  release(a);
  release(s);
  return out;
}

/** log(1 - D(x)) = -softplus(l), elementwise (differentiable). */
export function log1mD(logits: Tensor): Tensor {
  const s = softplus(logits);
  const out = neg(s);
  release(s);
  return out;
}

function checkLogits(op: string, real: Tensor, fake: Tensor): void {
  real.assertAlive(op);
  fake.assertAlive(op);
  if (real.size === 0 || fake.size === 0) {
    throw new SaddleError(op, `real logits ${fmtShape(real.shape)} and fake logits ${fmtShape(fake.shape)}; expected at least one of each`);
  }
  if (real.device !== fake.device) throw new SaddleError(op, `real logits on ${real.device.name}, fake on ${fake.device.name}; expected one device`);
}

/**
 * V(D, G) from D's logits on real points (any shape, e.g. [B, 1]) and on generated points:
 * mean(log D(x)) + mean(log(1 - D(G(z)))), a tensor of shape [] on their device. Differentiable
 * (it records when grad mode is on), so it can serve as a loss too; under `noGrad` it is a metric.
 */
export function valueFunction(realLogits: Tensor, fakeLogits: Tensor): Tensor {
  checkLogits('valueFunction', realLogits, fakeLogits);
  const lr = logD(realLogits);
  const lf = log1mD(fakeLogits);
  const mr = mean(lr);
  const mf = mean(lf);
  release(lr);
  release(lf);
  const v = add(mr, mf);
  release(mr);
  release(mf);
  return v;
}

/** The two terms of V as sums (for averaging over several batches), and how many points each covers. */
export interface ValueSums {
  realSum: number;
  fakeSum: number;
  realCount: number;
  fakeCount: number;
}

/**
 * Estimates V(D, G) over many batches (held-out data): `add` each batch's logits (real, fake or
 * both); the per-batch sums stay on the device (kept: `add` may be called inside a `tidy`) until
 * `result()` reads them once. Not differentiable; the logits themselves remain the caller's.
 */
export class ValueEstimator {
  private realSums: Tensor[] = [];
  private fakeSums: Tensor[] = [];
  private realCount = 0;
  private fakeCount = 0;

  /** Adds a batch: logits of D on real points and/or on generated points (either may be omitted). */
  add(realLogits?: Tensor, fakeLogits?: Tensor): void {
    noGrad(() => {
      if (realLogits && realLogits.size > 0) {
        const l = logD(realLogits);
        this.realSums.push(keep(sum(l)));
        l.dispose();
        this.realCount += realLogits.size;
      }
      if (fakeLogits && fakeLogits.size > 0) {
        const l = log1mD(fakeLogits);
        this.fakeSums.push(keep(sum(l)));
        l.dispose();
        this.fakeCount += fakeLogits.size;
      }
    });
  }

  /** Reads the sums back (one read-back; the per-batch partial sums are added in float64) and frees them. */
  async sums(): Promise<ValueSums> {
    const parts = [...this.realSums, ...this.fakeSums];
    let values: ArrayLike<number> = [];
    if (parts.length > 0) {
      const all = tidy(() =>
        concat(
          parts.map((t) => reshape(t, [1])),
          0,
        ),
      );
      try {
        values = await all.toArray();
      } finally {
        all.dispose();
      }
    }
    let realSum = 0;
    let fakeSum = 0;
    for (let i = 0; i < parts.length; i++) {
      if (i < this.realSums.length) realSum += values[i]!;
      else fakeSum += values[i]!;
    }
    for (const t of parts) t.dispose();
    this.realSums = [];
    this.fakeSums = [];
    return { realSum, fakeSum, realCount: this.realCount, fakeCount: this.fakeCount };
  }

  /**
   * V = realSum / realCount + fakeSum / fakeCount, with its two terms. Resets the estimator.
   * Throws if either side saw no points.
   */
  async result(): Promise<{ value: number; realTerm: number; fakeTerm: number; realCount: number; fakeCount: number }> {
    const s = await this.sums();
    this.realCount = 0;
    this.fakeCount = 0;
    if (s.realCount === 0 || s.fakeCount === 0) {
      throw new SaddleError('ValueEstimator', `saw ${s.realCount} real and ${s.fakeCount} fake points; expected at least one of each`);
    }
    const realTerm = s.realSum / s.realCount;
    const fakeTerm = s.fakeSum / s.fakeCount;
    return { value: realTerm + fakeTerm, realTerm, fakeTerm, realCount: s.realCount, fakeCount: s.fakeCount };
  }

  /** Frees any sums not yet read. */
  dispose(): void {
    for (const t of [...this.realSums, ...this.fakeSums]) t.dispose();
    this.realSums = [];
    this.fakeSums = [];
    this.realCount = 0;
    this.fakeCount = 0;
  }
}

/** What `heldOutValue` needs: the two players and the held-out images. */
export interface HeldOutValueInputs {
  G: Module;
  D: Module;
  /** Held-out real images [n, d] on the device. */
  real: Tensor;
  /** Fresh noise for m samples (the caller's own generator: the estimate draws from no training stream). */
  sampleZ: (m: number) => Tensor;
  /** Images per forward pass (default 1000). */
  chunk?: number;
}

/**
 * V(D, G) of Eq. (1) estimated on held-out images: mean log D(x) over them plus mean
 * log(1 - D(G(z))) over as many fresh samples, with D and G in eval mode (no dropout), chunk by
 * chunk through a ValueEstimator (one read-back at the end). Both players are back in training
 * mode afterwards.
 */
export async function heldOutValue({ G, D, real, sampleZ, chunk = 1000 }: HeldOutValueInputs): Promise<number> {
  const [n, d] = real.shape as [number, number];
  const estimator = new ValueEstimator();
  G.eval();
  D.eval();
  try {
    for (let i = 0; i < n; i += chunk) {
      const m = Math.min(chunk, n - i);
      tidy(() => noGrad(() => estimator.add(D.forward(slice(real, [i, 0], [m, d])), D.forward(G.forward(sampleZ(m))))));
      real.device.flush();
    }
    return (await estimator.result()).value;
  } finally {
    estimator.dispose();
    G.train();
    D.train();
  }
}

/** The float64 reference: V from logits given as numbers. */
export function valueFunctionCpu(realLogits: ArrayLike<number>, fakeLogits: ArrayLike<number>): number {
  if (realLogits.length === 0 || fakeLogits.length === 0) throw new RangeError('valueFunctionCpu: expected at least one real and one fake logit');
  const softplus = (y: number) => Math.max(y, 0) + Math.log1p(Math.exp(-Math.abs(y)));
  let r = 0;
  for (let i = 0; i < realLogits.length; i++) r -= softplus(-realLogits[i]!);
  let f = 0;
  for (let i = 0; i < fakeLogits.length; i++) f -= softplus(fakeLogits[i]!);
  return r / realLogits.length + f / fakeLogits.length;
}
