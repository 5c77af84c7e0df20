import type { TypedArray } from '@saddle/tensor';
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
