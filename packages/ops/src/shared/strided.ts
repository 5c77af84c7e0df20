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

/**
 * Drops size-1 dims and merges neighbours that every operand walks as one run in memory
 * (strides[k][i] = strides[k][i+1] * shape[i+1] for each operand k): a dense tensor becomes one
 * dim of stride 1, a reduction over the contiguous last axes one dim, a bias broadcast over rows
 * two dims. The result may have rank 0 (every dim was 1).
 */
export function mergeDimsOf(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[i]! * shape[i]!)) {
      outShape[last]! *= shape[i]!;
      strides.forEach((s, k) => (outStrides[k]![last] = s[i]!));
    } else {
      outShape.push(shape[i]!);
      strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * The dims array a strided wasm kernel reads (see kernels-wasm/assembly/shared/strided.ts): the
 * merged shape, then each operand's strides, with rank >= 1 (a scalar walks as shape [1]).
 */
export function wasmDims(shape: readonly number[], strides: readonly (readonly number[])[]): { rank: number; dims: number[] } {
  const merged = mergeDimsOf(shape, strides);
  if (merged.shape.length === 0) return { rank: 1, dims: [1, ...strides.map(() => 1)] };
  return { rank: merged.shape.length, dims: [...merged.shape, ...merged.strides.flat()] };
}
