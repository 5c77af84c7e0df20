import type { Tensor, TypedArray } from '@saddle/tensor';
import type { Stream } from '../random/random.cpu.js';
import { dropoutCpu } from '../dropout/dropout.cpu.js';
import { maxoutCpu, view2d, type View2d } from './maxout.cpu.js';

/**
 * CPU twin of the fused maxout + dropout kernel: the maxout of each unit (`maxoutCpu`), then output i
 * kept when word i % 4 of counter block floor(i / 4) of the stream passes `(w >>> 8) < threshold`
 * (the dropout mask of the output's shape): out[i] = kept ? max * scale : 0, mask[i] = kept ? scale : 0.
 * `scale` must already be rounded to the output's dtype (fround for f32): the double product of two
 * f32s is exact and rounds, on the store, to the f32 product the GPU computes.
 * `out` and `mask` must be exactly rows * units long: the dropout runs in place on `out` (`dropoutCpu`
 * reads element i before it writes it).
 */
export function maxoutDropoutCpu(
  x: View2d,
  rows: number,
  units: number,
  pieces: number,
  s: Stream,
  threshold: number,
  scale: number,
  out: TypedArray,
  argmax: TypedArray,
  mask: TypedArray,
): void {
  maxoutCpu(x, rows, units, pieces, out, argmax);
  dropoutCpu(s, threshold, scale, out, [out.length], [1], 0, out, mask);
}

/** maxoutDropout's CPU entry: the fused twin on x's array, its scale rounded to x's dtype. */
export function maxoutDropoutOnCpu(
  x: Tensor,
  rows: number,
  units: number,
  pieces: number,
  stream: Stream,
  threshold: number,
  keep: number,
  out: Tensor,
  argmax: Tensor,
  mask: Tensor,
): void {
  const scale = x.dtype === 'f32' ? Math.fround(1 / keep) : 1 / keep;
  maxoutDropoutCpu(view2d(x), rows, units, pieces, stream, threshold, scale, out.storage.data!, argmax.storage.data!, mask.storage.data!);
}
