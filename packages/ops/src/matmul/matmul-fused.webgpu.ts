import type { Tensor } from '@saddle/tensor';
import { asGpu } from '../shared/launch.js';
import { withFusedOutputs, type MatmulFusedProblem } from './matmul-fused.cpu.js';
import { recordMatmul } from './matmul.webgpu.js';

/**
 * The op's WebGPU entry: the matmul kernel with the masks applied as it loads its tiles and, for
 * the column sums, op(A) given a row of ones whose product row the epilogue stores into `sums`.
 */
export function matmulFusedOnWebgpu(p: MatmulFusedProblem): { out: Tensor; sums: Tensor | null } {
  const { device, a: da, b: db, maskA: ma, maskB: mb, m, n, k, transA, transB } = p;
  return withFusedOutputs(p, (out, sums) => {
    if (m > 0 && n > 0) {
      // The ones row makes the product's M one larger; its row goes to `sums`.
      recordMatmul(asGpu(device), da, db, null, out, sums ? m + 1 : m, n, k, transA, transB, 'none', undefined, undefined, {
        maskA: ma,
        maskB: mb,
        sums: sums ?? undefined,
      });
    } else if (sums && n > 0) {
      // M = 0: no rows to store, but the sums are still asked for.
      recordMatmul(asGpu(device), da, db, null, out, 1, n, k, transA, transB, 'none', undefined, undefined, { maskA: ma, maskB: mb, sums });
    }
  });
}
