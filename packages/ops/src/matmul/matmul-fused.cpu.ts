import type { TypedArray } from '@saddle/tensor';
import { matmulCpu } from './matmul.cpu.js';

/** x times step(mask) elementwise, as mul(x, step(mask)) computes it (in a Float64Array). */
export function maskedCopy(x: TypedArray, mask: TypedArray | null): TypedArray {
  if (!mask) return x;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * (mask[i]! > 0 ? 1 : 0);
  return out;
}

/**
 * CPU twin of the fused backward product (matmul-fused.ts): out = op(a ⊙ step(maskA)) · op(b ⊙
 * step(maskB)), and, when `sums` is given, sums = 1ᵀ · op(b ⊙ step(maskB)) (the column sums of
 * op(B): a bias gradient). Masks are stored like their operands; null: no mask.
 */
export function matmulFusedCpu(
  a: TypedArray,
  b: TypedArray,
  out: TypedArray,
  m: number,
  n: number,
  k: number,
  opts: { transA: boolean; transB: boolean; maskA: TypedArray | null; maskB: TypedArray | null; sums: TypedArray | null },
): void {
  const am = maskedCopy(a, opts.maskA);
  const bm = maskedCopy(b, opts.maskB);
  matmulCpu(am, bm, out, m, n, k, { transA: opts.transA, transB: opts.transB });
  if (opts.sums) {
    const ones = new Float64Array(k).fill(1);
    matmulCpu(ones, bm, opts.sums, 1, n, k, { transB: opts.transB });
  }
}
