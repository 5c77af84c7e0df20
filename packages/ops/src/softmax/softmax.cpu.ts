import type { Tensor, TypedArray } from '@saddle/tensor';

/** A dense tensor seen as [outer, len, inner], the softmax axis in the middle. */
export interface RowLayout {
  outer: number;
  len: number;
  inner: number;
}

/** CPU twin of rowStats: the row's maximum and the sum of exp(x - max), in doubles. */
export function rowStatsCpu(x: TypedArray, base: number, len: number, inner: number): { max: number; sum: number } {
  let m = x[base]!;
  for (let c = 1; c < len; c++) m = Math.max(m, x[base + c * inner]!);
  let s = 0;
  for (let c = 0; c < len; c++) s += Math.exp(x[base + c * inner]! - m);
  return { max: m, sum: s };
}

/** CPU twin of the softmax kernels (log-softmax when `log`). */
export function softmaxCpu(x: TypedArray, { outer, len, inner }: RowLayout, log: boolean, out: TypedArray): void {
  for (let r = 0; r < outer * inner; r++) {
    const base = Math.floor(r / inner) * len * inner + (r % inner);
    const { max, sum } = rowStatsCpu(x, base, len, inner);
    const shift = max + Math.log(sum);
    for (let c = 0; c < len; c++) {
      const at = base + c * inner;
      out[at] = log ? x[at]! - shift : Math.exp(x[at]! - max) / sum;
    }
  }
}

/** The op's CPU entry: the twin on the tensors' arrays. */
export function softmaxOnCpu(x: Tensor, layout: RowLayout, log: boolean, out: Tensor): void {
  softmaxCpu(x.storage.data!, layout, log, out.storage.data!);
}
