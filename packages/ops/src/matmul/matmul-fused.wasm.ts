import type { Tensor } from '@saddle/tensor';
import { mul, step } from '../elementwise/elementwise.js';
import { sum } from '../reduce/reduce.js';
import { matmul } from './matmul.js';
import type { MatmulFusedProblem } from './matmul-fused.cpu.js';

/**
 * On wasm the fusion saves nothing worth a kernel of its own (no dispatches, and the passes it
 * removes are cheap next to the product on a CPU), so the same result comes from the wasm kernels
 * in turn: the masked operand is mul(x, step(mask)) (the same single f32 multiply as the fused
 * load: bit for bit), the product is the wasm matmul, and the column sums are the wasm reduce's
 * sum over op(B)'s rows (its fixed-piece tree, not the product's k order: equal within the f32
 * summation error of K terms, as on WebGPU against the unfused rule).
 */
export function matmulFusedOnWasm(p: MatmulFusedProblem): { out: Tensor; sums: Tensor | null } {
  return matmulFusedWasm(p.a, p.b, p.maskA, p.maskB, p.transA, p.transB, p.columnSums === true);
}

/** The wasm composition above on its operands: masked copies, the product, the column sums. */
function matmulFusedWasm(
  a: Tensor,
  b: Tensor,
  maskA: Tensor | undefined,
  maskB: Tensor | undefined,
  transA: boolean,
  transB: boolean,
  columnSums: boolean,
): { out: Tensor; sums: Tensor | null } {
  const ma = maskA ? mul(a, step(maskA)) : a;
  const mb = maskB ? mul(b, step(maskB)) : b;
  try {
    const out = matmul(ma, mb, { transA, transB });
    // op(B) = B stored [K, N] (sum over axis 0) or Bᵀ with B stored [N, K] (sum over axis 1).
    const sums = columnSums ? sum(mb, transB ? 1 : 0) : null;
    return { out, sums };
  } finally {
    if (ma !== a) ma.dispose();
    if (mb !== b) mb.dispose();
  }
}
