/**
 * The backward products of a dense layer with their elementwise neighbours fused in (issue 14).
 * For y = act(x·W + b) and an upstream gradient g, the unfused rule materializes dz = g ⊙ act'(y)
 * (for ReLU: step(y), then a multiply: two passes over [B, N]), then runs dX = dz·Wᵀ, dW = xᵀ·dz and
 * db = Σ_rows dz (a reduction: one more pass). Fused:
 *
 * - ReLU' into the products: the kernel multiplies dz's tile by step(y) as it loads it (`maskA` /
 *   `maskB`: y read alongside g, in the same layout), so dz never exists in memory: dX and dW each
 *   read g and y instead of dz (one extra read of [B, N] per product, against the two passes and
 *   the write of dz that go away).
 * - The bias gradient into dW: op(A) = xᵀ gets an extra row of ones, so the product's extra row is
 *   1ᵀ·dz = db, written by the epilogue to its own buffer (`columnSums`): the reduction goes away.
 *
 * Each is bit for bit the unfused math in the masked operand (g·step(y) is the same single f32
 * multiply); the bias sum accumulates in the product's k order (fma(1, dz, acc) is an exact add,
 * so it is a plain sequential-by-tile sum) instead of the reduce kernel's tree: equal within the
 * f32 summation error of B terms.
 */
import { SaddleError, type Tensor, fmtShape } from '@saddle/tensor';
import { dense } from '../elementwise/elementwise.js';
import { expectRank, sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { matmulFusedOnCpu, type MatmulFusedProblem } from './matmul-fused.cpu.js';
import { matmulFusedOnWasm } from './matmul-fused.wasm.js';
import { matmulFusedOnWebgpu } from './matmul-fused.webgpu.js';

/**
 * The fused product on each device: the CPU twin, the matmul kernel with masked loads and a ones
 * row on WebGPU, the unfused wasm kernels in turn on wasm. Each allocates the outputs it returns.
 */
const MATMUL_FUSED: DeviceTable<(p: MatmulFusedProblem) => { out: Tensor; sums: Tensor | null }> = {
  cpu: matmulFusedOnCpu,
  wasm: matmulFusedOnWasm,
  webgpu: matmulFusedOnWebgpu,
};

/** Options of the fused matmul: transposes and the masks it applies to its operands. */
export interface MatmulFusedOptions {
  transA?: boolean;
  transB?: boolean;
  /** Stored like `a` (same shape): the product uses a ⊙ step(maskA). */
  maskA?: Tensor;
  /** Stored like `b`: the product uses b ⊙ step(maskB). */
  maskB?: Tensor;
  /** Also return 1ᵀ·op(B ⊙ step(maskB)), [N]: the column sums of the (masked) op(B). */
  columnSums?: boolean;
}

/**
 * out = op(a ⊙ step(maskA)) · op(b ⊙ step(maskB)) and, with `columnSums`, sums = 1ᵀ·op(b ⊙
 * step(maskB)) ([N]), in one kernel. f32 (f64 on the CPU); a, b, masks dense or made dense.
 */
export function matmulFused(a: Tensor, b: Tensor, opts: MatmulFusedOptions = {}): { out: Tensor; sums: Tensor | null } {
  const op = 'matmulFused';
  const { transA = false, transB = false } = opts;
  const device = sameDevice(op, a, b, ...[opts.maskA, opts.maskB].filter((t): t is Tensor => t !== undefined));
  expectRank(op, 'a', a, 2);
  expectRank(op, 'b', b, 2);
  for (const [name, t, like] of [
    ['maskA', opts.maskA, a],
    ['maskB', opts.maskB, b],
  ] as const) {
    if (t && (t.shape[0] !== like.shape[0] || t.shape[1] !== like.shape[1])) {
      throw new SaddleError(op, `${name} has shape ${fmtShape(t.shape)}; expected ${fmtShape(like.shape)} (stored like the operand it masks)`);
    }
  }
  for (const [name, t] of [
    ['a', a],
    ['b', b],
    ['maskA', opts.maskA],
    ['maskB', opts.maskB],
  ] as const) {
    if (t && t.dtype !== a.dtype) throw new SaddleError(op, `${name} has dtype ${t.dtype}; expected ${a.dtype} like a`);
    if (t && t.dtype !== 'f32' && t.dtype !== 'f64') throw new SaddleError(op, `${name} has dtype ${t.dtype}; expected f32 (or f64 on the CPU)`);
  }
  const m = transA ? a.shape[1]! : a.shape[0]!;
  const k = transA ? a.shape[0]! : a.shape[1]!;
  const n = transB ? b.shape[0]! : b.shape[1]!;
  if ((transB ? b.shape[1] : b.shape[0]) !== k) {
    throw new SaddleError(op, `inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)} (transA ${transA}, transB ${transB})`);
  }
  // Dense operands and masks (a view's copy keeps the logical layout, so masks stay aligned).
  const owned: Tensor[] = [];
  const d = (t: Tensor | undefined) => {
    if (!t || t.isDense) return t;
    const c = dense(t);
    owned.push(c);
    return c;
  };
  const [da, db, ma, mb] = [d(a)!, d(b)!, d(opts.maskA), d(opts.maskB)];
  try {
    return MATMUL_FUSED[device.kind]({ device, a: da, b: db, maskA: ma, maskB: mb, m, n, k, transA, transB, columnSums: opts.columnSums });
  } finally {
    for (const t of owned) t.dispose();
  }
}
