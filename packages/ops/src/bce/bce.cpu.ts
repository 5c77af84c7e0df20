import { full, type Tensor, type TypedArray } from '@saddle/tensor';
import { stridedIndex } from '../shared/strided.js';
import { bceTerm, sigmoid } from '../shared/activation.js';

/** A strided view of a typed array, read as an array of the logits' shape. */
export interface StridedView {
  data: TypedArray;
  strides: readonly number[];
  offset: number;
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
    out[i] = ((sigmoid(z.data[stridedIndex(i, shape, z.strides, z.offset)]!) - targetAt(t, i, shape)) / n) * scale;
  }
}

function view(t: Tensor): StridedView {
  return { data: t.storage.data!, strides: t.strides, offset: t.offset };
}

/** The loss's CPU entry: the twin on the tensors' arrays, a shape-[] tensor of the logits' dtype. */
export function sigmoidBceOnCpu(_op: string, logits: Tensor, targets: Tensor | number): Tensor {
  const loss = sigmoidBceCpu(view(logits), typeof targets === 'number' ? targets : view(targets), logits.shape);
  return full([], loss, { dtype: logits.dtype, device: logits.device });
}

/** The gradient's CPU entry: the twin into `out`, a tensor `scale` read from its array. */
export function sigmoidBceGradOnCpu(_op: string, logits: Tensor, targets: Tensor | number, scale: number | Tensor, out: Tensor): void {
  const s = typeof scale === 'number' ? scale : scale.storage.data![scale.offset]!;
  sigmoidBceGradCpu(view(logits), typeof targets === 'number' ? targets : view(targets), logits.shape, s, out.storage.data!);
}
