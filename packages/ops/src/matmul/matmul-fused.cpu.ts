import { Tensor, type Device, type TypedArray } from '@saddle/tensor';
import { matmulCpu } from './matmul.cpu.js';

/** One fused product as every device's launcher takes it: dense operands and masks, the sizes of op(a)·op(b). */
export interface MatmulFusedProblem {
  device: Device;
  a: Tensor;
  b: Tensor;
  maskA: Tensor | undefined;
  maskB: Tensor | undefined;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  columnSums: boolean | undefined;
}

/**
 * Allocates the fused product's outputs (out [M, N], and sums [N] with columnSums, of a's dtype)
 * and fills them with `run`; frees them if `run` throws.
 */
export function withFusedOutputs(p: MatmulFusedProblem, run: (out: Tensor, sums: Tensor | null) => void): { out: Tensor; sums: Tensor | null } {
  const out = Tensor.empty([p.m, p.n], p.a.dtype, p.device);
  const sums = p.columnSums ? Tensor.empty([p.n], p.a.dtype, p.device) : null;
  try {
    run(out, sums);
  } catch (e) {
    out.dispose();
    sums?.dispose();
    throw e;
  }
  return { out, sums };
}

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

/** The op's CPU entry: the twin on the tensors' arrays, into new outputs. */
export function matmulFusedOnCpu(p: MatmulFusedProblem): { out: Tensor; sums: Tensor | null } {
  return withFusedOutputs(p, (out, sums) =>
    matmulFusedCpu(p.a.storage.data!, p.b.storage.data!, out.storage.data!, p.m, p.n, p.k, {
      transA: p.transA,
      transB: p.transB,
      maskA: p.maskA ? p.maskA.storage.data! : null,
      maskB: p.maskB ? p.maskB.storage.data! : null,
      sums: sums ? sums.storage.data! : null,
    }),
  );
}
