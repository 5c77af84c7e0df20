import type { Shape, Tensor, TypedArray } from '@saddle/tensor';
import { stridedIndex } from '../shared/strided.js';

/** A typed array read through strides (0 on broadcast dims) as an array of the output's shape. */
export interface StridedRead {
  data: TypedArray;
  strides: readonly number[];
  offset: number;
}

/** CPU twin of the where kernel. */
export function whereCpu(c: StridedRead, a: StridedRead, b: StridedRead, shape: readonly number[], out: TypedArray): void {
  const at = (r: StridedRead, i: number) => r.data[stridedIndex(i, shape, r.strides, r.offset)]!;
  for (let i = 0; i < out.length; i++) out[i] = at(c, i) !== 0 ? at(a, i) : at(b, i);
}

/** A tensor read through strides (0 on broadcast dims) and an offset as a tensor of the output's shape. */
export interface TensorRead {
  t: Tensor;
  strides: readonly number[];
  offset: number;
}

/** where's CPU entry: the twin on the tensors' arrays. */
export function whereOnCpu(c: TensorRead, a: TensorRead, b: TensorRead, shape: Shape, out: Tensor): void {
  const data = ({ t, strides, offset }: TensorRead): StridedRead => ({ data: t.storage.data!, strides, offset });
  whereCpu(data(c), data(a), data(b), shape, out.storage.data!);
}
