import type { Tensor } from '@saddle/tensor';
import { k, unbroadcast } from './common.js';
import type { Rule } from '../tape.js';

/**
 * sigmoidBce(logits, targets) = mean(softplus(x) - t·x) over the n elements (the cross-entropy of
 * sigmoid(x) against t, written so that no log of 0 can occur). Its gradients:
 *
 *   d/dx = (sigmoid(x) - t) / n     computed by its own kernel, sigmoidBceGrad, scaled by g
 *   d/dt = -x / n                   (targets are usually constants; this is there if they are not)
 *
 * g is the loss's one-element gradient tensor; it goes to sigmoidBceGrad as its `scale` tensor, so
 * nothing is read back to the CPU. `saved` is [logits, targets].
 */
export function sigmoidBceRule(n: number): Rule {
  return (g, saved, needs) => {
    const [logits, targets] = saved as [Tensor, Tensor | number];
    return [needs[0] ? k.sigmoidBceGrad(logits, targets, g) : null, needs[1] ? k.mul(logits, k.div(g, -n)) : null];
  };
}

/**
 * sigmoidBceGrad(z, t, s) = (sigmoid(z) - t) / n · s, the kernel the rule above runs, as an op of
 * its own so that a gradient built with it can be differentiated again. With G its incoming
 * gradient (the logits' shape):
 *
 *   dz = G · sigmoid'(z) · s / n,  sigmoid' = σ(1 - σ)
 *   dt = -G · s / n                (summed back to t's shape)
 *   ds = Σ G · (sigmoid(z) - t) / n
 *
 * Written in recording ops, so it is itself differentiable. `saved` is [z, t, s].
 */
export function sigmoidBceGradRule(n: number): Rule {
  return (g, saved, needs) => {
    const [z, t, s] = saved as [Tensor, Tensor | number, Tensor | number];
    const gs = k.div(k.mul(g, s), n);
    const sz = needs[0] || needs[2] ? k.sigmoid(z) : null;
    return [
      needs[0] ? k.mul(gs, k.mul(sz!, k.sub(1, sz!))) : null,
      needs[1] && typeof t !== 'number' ? unbroadcast(k.neg(gs), t.shape) : null,
      needs[2] && typeof s !== 'number' ? k.reshape(k.div(k.sum(k.mul(g, k.sub(sz!, t))), n), s.shape) : null,
    ];
  };
}
