import type { Shape, Tensor } from '@saddle/tensor';
import { k, unbroadcast } from './common.js';
import type { Rule } from '../tape.js';

/**
 * The gradient of y = op(a) · op(b) per batch (op: identity, or the transpose under transA /
 * transB). With A = op(a) [..., M, K], B = op(b) [..., K, N]:
 *
 *   dA = g · Bᵀ          dB = Aᵀ · g
 *
 * each one bmm whose flags read the stored operands as needed (a stored transposed gets
 * (g·Bᵀ)ᵀ = B·gᵀ, and likewise b), then summed over the batch dims its operand was broadcast
 * along (`unbroadcast`). `saved` is [a, b].
 */
export function bmmRule(transA: boolean, transB: boolean, aShape: Shape, bShape: Shape): Rule {
  return (g, saved, needs) => {
    const [a, b] = saved as [Tensor, Tensor];
    const da = () => (transA ? k.bmm(b, g, { transA: transB, transB: true }) : k.bmm(g, b, { transB: !transB }));
    const db = () => (transB ? k.bmm(g, a, { transA: true, transB: transA }) : k.bmm(a, g, { transA: !transA }));
    return [needs[0] ? unbroadcast(da(), aShape) : null, needs[1] ? unbroadcast(db(), bShape) : null];
  };
}
