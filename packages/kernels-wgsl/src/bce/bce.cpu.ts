import type { TypedArray } from '@saddle/tensor';
import { stridedIndex } from '../shared/strided.js';

/** A strided view of a typed array, read as an array of the logits' shape. */
export interface StridedView {
  data: TypedArray;
  strides: readonly number[];
  offset: number;
}

/** The numerically stable loss of one logit: max(z, 0) - z t + log(1 + exp(-|z|)). */
export function bceTerm(z: number, t: number): number {
  return Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
}

export function sigmoidCpu(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

const targetAt = (t: StridedView | number, i: number, shape: readonly number[]) =>
  typeof t === 'number' ? t : t.data[stridedIndex(i, shape, t.strides, t.offset)]!;

/** CPU twin of the loss kernels: the mean of bceTerm over every element, summed in doubles. */
export function sigmoidBceCpu(z: StridedView, t: StridedView | number, shape: readonly number[]): number {
  const n = shape.reduce((a, d) => a * d, 1);
  let acc = 0;
  for (let i = 0; i < n; i++) acc += bceTerm(z.data[stridedIndex(i, shape, z.strides, z.offset)]!, targetAt(t, i, shape));
  return acc / n;
}

/** CPU twin of the gradient kernel: out[i] = (sigmoid(z[i]) - t[i]) / n * scale, written densely. */
export function sigmoidBceGradCpu(z: StridedView, t: StridedView | number, shape: readonly number[], scale: number, out: TypedArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    out[i] = ((sigmoidCpu(z.data[stridedIndex(i, shape, z.strides, z.offset)]!) - targetAt(t, i, shape)) / n) * scale;
  }
}
