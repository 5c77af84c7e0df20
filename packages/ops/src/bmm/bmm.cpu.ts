import type { Tensor, TypedArray } from '@saddle/tensor';

/** How the kernel and its twin read one operand: its data, offset, (row, column) and batch strides. */
export interface BmmOperand {
  data: TypedArray;
  offset: number;
  row: number;
  col: number;
  batchStrides: readonly number[];
}

/**
 * One batched product as every device's launcher takes it: the operands, how to read them
 * (BmmOperand: offset, matrix and batch strides), the broadcast batch shape, the sizes, the output.
 */
export interface BmmProblem {
  a: Tensor;
  b: Tensor;
  ra: BmmOperand;
  rb: BmmOperand;
  batchShape: readonly number[];
  m: number;
  k: number;
  n: number;
  out: Tensor;
}

/** CPU twin of the bmm kernel (the same index arithmetic, accumulating in doubles). */
export function bmmCpu(a: BmmOperand, b: BmmOperand, batchShape: readonly number[], m: number, k: number, n: number, out: TypedArray): void {
  const batches = batchShape.reduce((s, d) => s * d, 1);
  for (let batch = 0; batch < batches; batch++) {
    let aBase = a.offset;
    let bBase = b.offset;
    let rem = batch;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const c = rem % batchShape[d]!;
      rem = Math.floor(rem / batchShape[d]!);
      aBase += c * a.batchStrides[d]!;
      bBase += c * b.batchStrides[d]!;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let t = 0; t < k; t++) acc += a.data[aBase + i * a.row + t * a.col]! * b.data[bBase + t * b.row + j * b.col]!;
        out[(batch * m + i) * n + j] = acc;
      }
    }
  }
}

/** The op's CPU entry: the twin on the tensors' arrays. */
export function bmmOnCpu({ ra, rb, batchShape, m, k, n, out }: BmmProblem): void {
  bmmCpu(ra, rb, batchShape, m, k, n, out.storage.data!);
}
