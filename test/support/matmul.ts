/** Shared by the matmul kernel tests (matmul, split-K, fused, f16, subgroup-matrix). */

/** The four (transA, transB) combinations. */
export const TRANSPOSE_PAIRS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** max |x_i| (0 for an empty array). */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}
