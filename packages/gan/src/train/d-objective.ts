/**
 * What D descends in one step: the stacked cross-entropy of `losses.ts` and, when the R1 gradient
 * penalty is on (`--r1 GAMMA`), the penalty on the real minibatch (`r1.ts`):
 *
 *   L_D = 0.5 [CE(1, D(x)) + CE(0, D(G(z)))]  +  gamma/2 · mean_i ||∇ₓ D(xᵢ)||²
 *
 * The penalty runs a forward pass of its own on the B real rows, not the one over the stacked
 * [x; G(z)] batch the loss uses. Differentiating the real logits of the stacked pass would carry
 * the B fake rows (with a zero seed) through the inner backward and the double backward, twice the
 * rows; an own pass costs one forward over B rows and then works on B rows only. It also keeps the
 * loss's graph exactly what it is without R1. Dropout stays correct: the pass draws its masks once
 * (from D's dropout stream, after the loss's pass), and both the logit and its gradient with
 * respect to x use those masks, which the dropout and maxout nodes saved. The masks differ from the
 * loss pass's; the penalty is an expectation over them like the loss is.
 *
 * The real rows are made a leaf that requires grad inside `r1Penalty` (the functional `grad` with
 * `createGraph`), so ∇ₓ D(x) stays on the tape and the caller's backward of `total` reaches D's
 * weights through it (a second derivative of D). Call this inside the `tidy` of the step, and take
 * the gradients for D's parameters only (`runBackward(total, ..., dParams)`): an ordinary
 * `backward()` would also build the useless gradient with respect to the real rows.
 *
 * Lazy regularization (StyleGAN2, Karras et al. 2020): with `r1Every` N > 1 the penalty is applied
 * on every N-th D step only, with gamma·N, so that its average strength is the same at 1/N of the
 * cost. The D steps are counted over the whole run (k per iteration), which a checkpoint restores.
 */
import { add, concat, type Tensor } from '@saddle/autograd';
import { discriminatorLossStacked } from '../losses.js';
import type { GanConfig } from '../presets.js';
import { r1Penalty } from '../r1.js';

export interface DiscriminatorObjective {
  /** The stacked cross-entropy: the loss the statistics record (with or without R1). */
  loss: Tensor;
  /** D's logits on [x; G(z)], [2B, 1]. */
  logits: Tensor;
  /** The R1 penalty (a one-element tensor), or null when it was not applied on this step. */
  penalty: Tensor | null;
  /** What D descends: loss + penalty, or `loss` itself. */
  total: Tensor;
}

/**
 * D's objective on the real rows `x` [B, d] and the fake rows `fake` [B, d] (no graph to G), with
 * `targets` B ones then B zeros ([2B, 1]); `r1Gamma` is the penalty's weight on this step (0 or
 * null: no penalty, and nothing beyond the loss runs).
 */
export function discriminatorObjective(D: (x: Tensor) => Tensor, x: Tensor, fake: Tensor, targets: Tensor, r1Gamma: number | null): DiscriminatorObjective {
  // One pass of D over both batches, stacked (one matmul per layer).
  const logits = D(concat([x, fake], 0));
  const loss = discriminatorLossStacked(logits, targets);
  if (r1Gamma === null || r1Gamma === 0) return { loss, logits, penalty: null, total: loss };
  const penalty = r1Penalty(D, x, r1Gamma);
  return { loss, logits, penalty, total: add(loss, penalty) };
}

/**
 * The R1 weight of the D step numbered `dStep` (0-based, counted over the whole run): gamma·every
 * on every `every`-th step (lazy regularization), 0 on the others and whenever R1 is off.
 */
export function r1GammaAt(config: Pick<GanConfig, 'r1Gamma' | 'r1Every'>, dStep: number): number {
  if (!(config.r1Gamma > 0)) return 0;
  return dStep % config.r1Every === 0 ? config.r1Gamma * config.r1Every : 0;
}
