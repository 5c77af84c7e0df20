import type { Tensor } from '@saddle/tensor';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/**
 * crossEntropy(x, labels) = mean_n (logsumexp(x_n) - x_n[label_n]) over N rows. Its gradient is
 *
 *   dx = (softmax(x) - onehot(labels)) / N · g
 *
 * which its own kernel, crossEntropyGrad, computes in one pass with g as its `scale` tensor
 * (nothing read back). Labels are integers: no gradient. `saved` is [x, labels].
 */
export const crossEntropyRule: Rule = (g, saved) => [k.crossEntropyGrad(saved[0] as Tensor, saved[1] as Tensor, g)];

/**
 * crossEntropyGrad(x, labels, s) = (softmax(x) - onehot) / N · s, as an op of its own so that a
 * gradient built with it can be differentiated again. With G its incoming gradient [N, C] and
 * p = softmax(x) along the classes:
 *
 *   dx = p · (G' - Σ_c G'·p),  G' = G · s / N     (the softmax Jacobian applied to G')
 *   ds = Σ G · (p - onehot) / N = Σ G · crossEntropyGrad(x, labels, 1)
 *
 * `saved` is [x, labels, s]; the differentiable inputs are [x, s].
 */
export const crossEntropyGradRule: Rule = (g, saved, needs) => {
  const [x, labels, s] = saved as [Tensor, Tensor, Tensor | number];
  const rows = x.shape[0]!;
  const gs = k.div(k.mul(g, s), rows);
  const p = needs[0] ? k.softmax(x, 1) : null;
  return [
    needs[0] ? k.mul(p!, k.sub(gs, k.sum(k.mul(gs, p!), 1, true))) : null,
    needs[1] && typeof s !== 'number' ? k.reshape(k.sum(k.mul(g, k.crossEntropyGrad(x, labels, 1))), s.shape) : null,
  ];
};
