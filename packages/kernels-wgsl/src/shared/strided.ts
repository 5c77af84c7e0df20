import type { Tensor } from '@saddle/tensor';

/** Highest rank the strided (view-reading) kernels accept. */
export const MAX_RANK = 8;

/**
 * WGSL that turns a flat output index into the element index of a strided input: walk the dims
 * from the last, peel off each coordinate, and add coordinate * stride. Broadcast dims have stride 0.
 */
export const stridedIndexWgsl = /* wgsl */ `
fn stridedIndex(flat: u32, rank: u32, shape: array<vec4<u32>, 2>, strides: array<vec4<u32>, 2>, offset: u32) -> u32 {
  var rem = flat;
  var idx = offset;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let size = shape[d / 4][d % 4];
    idx += (rem % size) * strides[d / 4][d % 4];
    rem /= size;
  }
  return idx;
}`;

/** The strides (0 on broadcast dims) and offset that read `t` as an array of `outShape`. */
export function readAs(t: Tensor, outShape: readonly number[]): { strides: number[]; offset: number } {
  const lead = outShape.length - t.rank;
  const strides = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < t.rank; i++) strides[lead + i] = t.shape[i] === 1 ? 0 : t.strides[i]!;
  return { strides, offset: t.offset };
}

/** CPU twin of stridedIndex. */
export function stridedIndex(flat: number, shape: readonly number[], strides: readonly number[], offset: number): number {
  let rem = flat;
  let idx = offset;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    idx += (rem % size) * strides[d]!;
    rem = Math.floor(rem / size);
  }
  return idx;
}
