import { SaddleError, type Tensor, type TypedArray } from '@saddle/tensor';
import { rowStatsCpu } from '../softmax/softmax.cpu.js';

function labelAt(labels: TypedArray, r: number, len: number): number {
  const label = labels[r]!;
  if (!Number.isInteger(label) || label < 0 || label >= len) {
    throw new SaddleError('crossEntropy', `label ${label} of row ${r} is out of range; expected an integer class in [0, ${len})`);
  }
  return label;
}

/** Throws the twin's error for the first label outside [0, len) (the wasm launcher checks before its call). */
export function checkLabels(labels: TypedArray, rows: number, len: number): void {
  for (let r = 0; r < rows; r++) labelAt(labels, r, len);
}

/** CPU twin of the loss kernel: each row's logsumexp(x) - x[label], in doubles. */
export function crossEntropyRowsCpu(x: TypedArray, labels: TypedArray, rows: number, len: number, out: TypedArray): void {
  for (let r = 0; r < rows; r++) {
    const { max, sum } = rowStatsCpu(x, r * len, len, 1);
    out[r] = max + Math.log(sum) - x[r * len + labelAt(labels, r, len)]!;
  }
}

/** CPU twin of the gradient kernel: (softmax(x) - onehot(label)) * scale. */
export function crossEntropyGradCpu(x: TypedArray, labels: TypedArray, rows: number, len: number, scale: number, out: TypedArray): void {
  for (let r = 0; r < rows; r++) {
    const base = r * len;
    const { max, sum } = rowStatsCpu(x, base, len, 1);
    const label = labelAt(labels, r, len);
    for (let c = 0; c < len; c++) out[base + c] = (Math.exp(x[base + c]! - max) / sum - (c === label ? 1 : 0)) * scale;
  }
}

/** crossEntropy's CPU entry: the rows twin on the tensors' arrays. */
export function crossEntropyRowsOnCpu(x: Tensor, l: Tensor, rows: number, len: number, perRow: Tensor): void {
  crossEntropyRowsCpu(x.storage.data!, l.storage.data!.subarray(l.offset), rows, len, perRow.storage.data!);
}

/** crossEntropyGrad's CPU entry: the gradient twin on the tensors' arrays, the scale read from `s`. */
export function crossEntropyGradOnCpu(x: Tensor, l: Tensor, s: Tensor, rows: number, len: number, out: Tensor): void {
  crossEntropyGradCpu(x.storage.data!, l.storage.data!.subarray(l.offset), rows, len, s.storage.data![s.offset]! / rows, out.storage.data!);
}
