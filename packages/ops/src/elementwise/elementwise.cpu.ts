import type { TypedArray } from '@saddle/tensor';
import { stridedIndex } from '../shared/strided.js';

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
