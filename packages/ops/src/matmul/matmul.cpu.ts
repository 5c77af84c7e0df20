import type { Tensor, TypedArray } from '@saddle/tensor';
import { activate, type Activation } from '../shared/activation.js';

/**
 * One 2-D product as every device's launcher takes it: dense stored operands, the flags that say
 * how to read them (transA: `a` holds [K, M]; transB: `b` holds [N, K]), the output [M, N].
 */
export interface MatmulProblem {
  a: Tensor;
  b: Tensor;
  bias: Tensor | null;
  out: Tensor;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  activation: Activation;
}

/** Options of the CPU matmul twin. */
export interface MatmulCpuOptions {
  /** `a` holds the [K, M] matrix (row-major); the product reads it transposed. */
  transA?: boolean;
  /** `b` holds the [N, K] matrix (row-major); the product reads it transposed. */
  transB?: boolean;
  /** N values added to every row of the product, before the activation. */
  bias?: TypedArray | null;
  activation?: Activation;
}

/**
 * CPU twin of the matmul kernel: out[M,N] = act(op(a)·op(b) + bias), on dense row-major arrays.
 * `a` is [M,K] (or [K,M] with transA), `b` is [K,N] (or [N,K] with transB). Sums are formed in JS
 * doubles and rounded once into `out` (Float32Array or Float64Array: gradient checks run in f64).
 */
export function matmulCpu(a: TypedArray, b: TypedArray, out: TypedArray, m: number, n: number, k: number, opts: MatmulCpuOptions = {}): void {
  const { transA = false, transB = false, bias = null, activation = 'none' } = opts;
  // a(i, p) = a[i * sai + p * sap]
  const sai = transA ? 1 : k;
  const sap = transA ? m : 1;
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    if (transB) {
      // b(p, j) = b[j * k + p]: each output is a dot product of two contiguous-ish rows.
      for (let j = 0; j < n; j++) {
        let s = 0;
        const bj = j * k;
        for (let p = 0; p < k; p++) s += a[i * sai + p * sap]! * b[bj + p]!;
        acc[j] = s;
      }
    } else {
      // b(p, j) = b[p * n + j]: accumulate a(i, p) times row p of b (walks b row by row).
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const av = a[i * sai + p * sap]!;
        const bp = p * n;
        for (let j = 0; j < n; j++) acc[j]! += av * b[bp + j]!;
      }
    }
    const row = i * n;
    for (let j = 0; j < n; j++) out[row + j] = activate(bias ? acc[j]! + bias[j]! : acc[j]!, activation);
  }
}

/** The op's CPU entry: the twin on the tensors' arrays. */
export function matmulOnCpu(p: MatmulProblem): void {
  matmulCpu(p.a.storage.data!, p.b.storage.data!, p.out.storage.data!, p.m, p.n, p.k, {
    transA: p.transA,
    transB: p.transB,
    bias: p.bias ? p.bias.storage.data! : null,
    activation: p.activation,
  });
}
