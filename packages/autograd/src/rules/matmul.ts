import type { Tensor } from '@saddle/tensor';
import * as k from './differentiable.js';
import type { Rule } from '../tape.js';

export type MatmulActivation = 'none' | 'relu' | 'sigmoid';

/**
 * The gradient of y = act(op(a)·op(b) + bias), where op is the identity or the transpose (the
 * transA / transB flags). Write A = op(a) [M, K], B = op(b) [K, N] and z = A·B + bias.
 *
 *   dz = g · act'(z), from the saved output y: relu' = step(y), sigmoid' = y(1 - y)
 *   dA = dz · Bᵀ   [M, K]          dB = Aᵀ · dz   [K, N]          dbias = Σ_rows dz   [N]
 *
 * If a was stored transposed (transA), its gradient is dAᵀ = B · dzᵀ, and likewise for b. Every
 * product is one matmul call whose flags read the stored operands as needed: no transpose is
 * ever materialized. `saved` is [a, b, y].
 */
export function matmulRule(transA: boolean, transB: boolean, activation: MatmulActivation): Rule {
  return (g, saved, needs) => {
    const [a, b, y] = saved as [Tensor, Tensor, Tensor];
    let dz = g;
    if (activation === 'relu') dz = k.mul(g, k.step(y));
    else if (activation === 'sigmoid') dz = k.mul(g, k.mul(y, k.sub(1, y)));
    return [
      needs[0] ? gradA(dz, b, transA, transB) : null,
      needs[1] ? gradB(dz, a, transA, transB) : null,
      needs[2] ? k.sum(dz, 0) : null,
    ];
  };
}

/** The gradient of a as stored: dz·Bᵀ, or its transpose B·dzᵀ when a is stored [K, M]. */
function gradA(dz: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  // B = b (stored [K, N]) or bᵀ (stored [N, K]).
  if (!transA) return transB ? k.matmul(dz, b) : k.matmul(dz, b, { transB: true });
  return transB ? k.matmul(b, dz, { transA: true, transB: true }) : k.matmul(b, dz, { transB: true });
}

/** The gradient of b as stored: Aᵀ·dz, or its transpose dzᵀ·A when b is stored [N, K]. */
function gradB(dz: Tensor, a: Tensor, transA: boolean, transB: boolean): Tensor {
  // A = a (stored [M, K]) or aᵀ (stored [K, M]).
  if (!transB) return transA ? k.matmul(a, dz) : k.matmul(a, dz, { transA: true });
  return transA ? k.matmul(dz, a, { transA: true, transB: true }) : k.matmul(dz, a, { transA: true });
}
