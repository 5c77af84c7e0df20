import type { Tensor } from '@saddle/tensor';
import type { Activation } from '@saddle/ops';
import { k } from './common.js';
import { isGradEnabled } from '../grad-mode.js';
import type { Rule } from '../tape.js';

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
 *
 * Fused (@saddle/ops's matmulFused): for ReLU, dz is never materialized: each product loads g and
 * multiplies it by step(y) as it loads it (the same f32 multiply mul(g, step(y)) does, so dA and
 * dB are bit for bit the unfused ones). When B = b (not transB) and both dB and dbias are needed,
 * dbias comes out of the dB product: op(A)ᵀ gets a row of ones, whose row of the product is
 * 1ᵀ·dz. For a dense layer with ReLU that removes three passes over [M, N] (step, multiply, the
 * row sum) and three dispatches per backward; without an activation, one (the row sum).
 *
 * The fused kernel does not record onto the tape, so when the backward pass is itself recorded
 * (`backward({ createGraph: true })`, grad mode on) the rule takes the unfused products, written in
 * recording ops: the same values, and a graph that can be differentiated again.
 */
export function matmulRule(transA: boolean, transB: boolean, activation: Activation): Rule {
  return (g, saved, needs) => {
    const [a, b, y] = saved as [Tensor, Tensor, Tensor];
    if (isGradEnabled()) return recordedGradients(g, a, b, y, transA, transB, activation, needs);
    const sumsInDB = Boolean(needs[1] && needs[2] && !transB);
    // The mask is fused only where every consumer of dz can take it: the products, and the bias
    // sum when it rides in the dB product.
    const mask = activation === 'relu' && (!needs[2] || sumsInDB) ? y : null;
    let dz = g;
    if (activation === 'relu' && !mask) dz = k.mul(g, k.step(y));
    else if (activation === 'sigmoid') dz = k.mul(g, k.mul(y, k.sub(1, y)));
    let dB: Tensor | null = null;
    let dbias: Tensor | null = null;
    if (sumsInDB) ({ out: dB, sums: dbias } = gradBWithSums(dz, a, transA, mask));
    else if (needs[1]) dB = gradB(dz, a, transA, transB, mask);
    if (needs[2] && !dbias) dbias = k.sum(dz, 0);
    return [needs[0] ? gradA(dz, b, transA, transB, mask) : null, dB, dbias];
  };
}

/** The gradient of a as stored: dz·Bᵀ, or its transpose B·dzᵀ when a is stored [K, M]; dz = g ⊙ step(mask) when masked. */
function gradA(dz: Tensor, b: Tensor, transA: boolean, transB: boolean, mask: Tensor | null): Tensor {
  // B = b (stored [K, N]) or bᵀ (stored [N, K]).
  if (!transA) return product(dz, b, { transB: !transB, maskA: mask });
  return transB ? product(b, dz, { transA: true, transB: true, maskB: mask }) : product(b, dz, { transB: true, maskB: mask });
}

/** The gradient of b as stored: Aᵀ·dz, or its transpose dzᵀ·A when b is stored [N, K]. */
function gradB(dz: Tensor, a: Tensor, transA: boolean, transB: boolean, mask: Tensor | null): Tensor {
  // A = a (stored [M, K]) or aᵀ (stored [K, M]).
  if (!transB) return product(a, dz, { transA: !transA, maskB: mask });
  return transA ? product(dz, a, { transA: true, transB: true, maskA: mask }) : product(dz, a, { transA: true, maskA: mask });
}

/** dB = Aᵀ·dz (b stored [K, N]) and dbias = 1ᵀ·dz from the same product. */
function gradBWithSums(dz: Tensor, a: Tensor, transA: boolean, mask: Tensor | null): { out: Tensor; sums: Tensor } {
  const r = k.matmulFused(a, dz, { transA: !transA, maskB: mask ?? undefined, columnSums: true });
  return { out: r.out, sums: r.sums! };
}

/** One product, through the fused kernel only when an operand is masked. */
function product(x: Tensor, w: Tensor, o: { transA?: boolean; transB?: boolean; maskA?: Tensor | null; maskB?: Tensor | null }): Tensor {
  if (!o.maskA && !o.maskB) return k.matmul(x, w, { transA: o.transA, transB: o.transB });
  return k.matmulFused(x, w, { transA: o.transA, transB: o.transB, maskA: o.maskA ?? undefined, maskB: o.maskB ?? undefined }).out;
}

/** The unfused gradients in recording ops, for a backward pass that is itself on the tape. */
function recordedGradients(
  g: Tensor,
  a: Tensor,
  b: Tensor,
  y: Tensor,
  transA: boolean,
  transB: boolean,
  activation: Activation,
  needs: readonly boolean[],
): (Tensor | null)[] {
  let dz = g;
  if (activation === 'relu') dz = k.mul(g, k.step(y));
  else if (activation === 'sigmoid') dz = k.mul(g, k.mul(y, k.sub(1, y)));
  return [needs[0] ? gradA(dz, b, transA, transB, null) : null, needs[1] ? gradB(dz, a, transA, transB, null) : null, needs[2] ? k.sum(dz, 0) : null];
}
