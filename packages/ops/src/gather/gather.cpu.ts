import { SaddleError, type Tensor, type TypedArray } from '@saddle/tensor';

/** A dense tensor seen as [outer, len, inner] around the indexed axis; m indices. */
export interface GatherLayout {
  outer: number;
  len: number;
  inner: number;
  m: number;
}

function checkIndex(op: string, r: number, j: number, len: number): void {
  if (!Number.isInteger(r) || r < 0 || r >= len) throw new SaddleError(op, `index ${r} (position ${j}) is out of range; expected an integer in [0, ${len})`);
}

/** Throws the twins' error for the first index outside [0, len) (the wasm launcher checks before its call). */
export function checkIndices(op: string, indices: TypedArray, m: number, len: number): void {
  for (let j = 0; j < m; j++) checkIndex(op, indices[j]!, j, len);
}

/** CPU twin of gather. */
export function gatherCpu(x: TypedArray, indices: TypedArray, { outer, len, inner, m }: GatherLayout, out: TypedArray): void {
  checkIndices('gather', indices, m, len);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const from = (o * len + indices[j]!) * inner;
      const to = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[to + i] = x[from + i]!;
    }
  }
}

/** CPU twin of scatterAdd (sums in index order, as the kernel does). */
export function scatterAddCpu(src: TypedArray, indices: TypedArray, { outer, len, inner, m }: GatherLayout, out: TypedArray): void {
  checkIndices('scatterAdd', indices, m, len);
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const from = (o * m + j) * inner;
      const to = (o * len + indices[j]!) * inner;
      for (let i = 0; i < inner; i++) out[to + i]! += src[from + i]!;
    }
  }
}

/** The two ops of this folder: gather, and its gradient scatterAdd. */
export type GatherOpName = 'gather' | 'scatterAdd';

/** The op's CPU entry: the twin (gatherCpu or scatterAddCpu) on the tensors' arrays. */
export function gatherOnCpu(op: GatherOpName, x: Tensor, idx: Tensor, out: Tensor, layout: GatherLayout): void {
  const cpuOp = op === 'gather' ? gatherCpu : scatterAddCpu;
  cpuOp(x.storage.data!, idx.storage.data!.subarray(idx.offset), layout, out.storage.data!);
}
