/**
 * The two players' losses and the value function V(D, G) of Eq. (1), all computed from D's logits
 * with the fused sigmoid + binary cross-entropy kernel (never `log(sigmoid(..))`, which loses
 * everything once D is confident: log(1 - sigmoid(20)) in float32 is log(0)).
 *
 * With CE(t, l) = -[t log σ(l) + (1 - t) log(1 - σ(l))], the mean over a batch:
 *
 *   D minimizes   0.5 [CE(1, D(x)) + CE(0, D(G(z)))]        = -0.5 V(D, G) on the batch
 *   G minimizes   CE(1, D(G(z))) = -log D(G(z))             the non-saturating loss (Section 3)
 *            or   -CE(0, D(G(z))) = log(1 - D(G(z)))        the saturating loss, Eq. (1) as written
 *
 * (V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))] = -CE(1, D(x)) - CE(0, D(G(z))): see metrics/value.ts.)
 */
import { add, mul, neg, sigmoidBce, type Tensor } from '@saddle/autograd';

/** The generator's loss: the paper's non-saturating −log D(G(z)), or the saturating log(1 − D(G(z))). */
export type GeneratorLossKind = 'non-saturating' | 'saturating';
/** Every `GeneratorLossKind`. */
export const GENERATOR_LOSSES: readonly GeneratorLossKind[] = ['non-saturating', 'saturating'];

/** D's loss: 0.5 [CE(1, realLogits) + CE(0, fakeLogits)], a one-element tensor. */
export function discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor): Tensor {
  return mul(add(sigmoidBce(realLogits, 1), sigmoidBce(fakeLogits, 0)), 0.5);
}

/** G's loss from D's logits on G's samples: CE(1, ·) (non-saturating) or -CE(0, ·) (saturating). */
export function generatorLoss(fakeLogits: Tensor, kind: GeneratorLossKind = 'non-saturating'): Tensor {
  return kind === 'non-saturating' ? sigmoidBce(fakeLogits, 1) : neg(sigmoidBce(fakeLogits, 0));
}

/**
 * D's loss when D has seen the real and the fake batch stacked into one [2B, 1] batch of logits
 * (one matmul per layer instead of two): the mean CE against `targets` (B ones then B zeros) over
 * all 2B rows is 0.5 [mean CE(1, real) + mean CE(0, fake)], exactly `discriminatorLoss`.
 */
export function discriminatorLossStacked(logits: Tensor, targets: Tensor): Tensor {
  return sigmoidBce(logits, targets);
}
