import type { Shape, Tensor, TypedArray } from '@saddle/tensor';
import { stridedIndex } from '../shared/strided.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOpName, type UnaryOpName } from './ops-table.js';

/** CPU twin of the unary kernel: out[i] = f(x[strided(i)]). */
export function unaryCpu(
  f: (x: number) => number,
  x: TypedArray,
  shape: readonly number[],
  xStrides: readonly number[],
  xOffset: number,
  out: TypedArray,
): void {
  for (let i = 0; i < out.length; i++) out[i] = f(x[stridedIndex(i, shape, xStrides, xOffset)]!);
}

/** CPU twin of the binary kernel, broadcasting through stride-0 dims. */
export function binaryCpu(
  f: (x: number, y: number) => number,
  a: TypedArray,
  aStrides: readonly number[],
  aOffset: number,
  b: TypedArray,
  bStrides: readonly number[],
  bOffset: number,
  shape: readonly number[],
  out: TypedArray,
): void {
  for (let i = 0; i < out.length; i++) {
    out[i] = f(a[stridedIndex(i, shape, aStrides, aOffset)]!, b[stridedIndex(i, shape, bStrides, bOffset)]!);
  }
}

/** How an operand is read as the output's shape (readAs: stride 0 on broadcast dims). */
export interface StridedView {
  strides: readonly number[];
  offset: number;
}

/** The unary op's CPU entry: the twin on the tensors' arrays. */
export function unaryOnCpu(name: UnaryOpName, x: Tensor, out: Tensor): void {
  unaryCpu(UNARY_OPS[name].cpu, x.storage.data!, x.shape, x.strides, x.offset, out.storage.data!);
}

/** The binary op's CPU entry: the twin on the tensors' arrays. */
export function binaryOnCpu(name: BinaryOpName, ta: Tensor, ra: StridedView, tb: Tensor, rb: StridedView, shape: Shape, out: Tensor): void {
  binaryCpu(BINARY_OPS[name].cpu, ta.storage.data!, ra.strides, ra.offset, tb.storage.data!, rb.strides, rb.offset, shape, out.storage.data!);
}
