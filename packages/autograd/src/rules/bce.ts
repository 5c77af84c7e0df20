import type { Tensor } from '@saddle/tensor';
import * as k from '@saddle/kernels-wgsl';
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
    return [
      needs[0] ? k.sigmoidBceGrad(logits, targets, g) : null,
      needs[1] ? k.mul(logits, k.div(g, -n)) : null,
    ];
  };
}
