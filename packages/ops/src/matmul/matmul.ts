import { SaddleError, Tensor, fmtShape } from '@saddle/tensor';
import { add, dense, relu, sigmoid } from '../elementwise/elementwise.js';
import { bmm } from '../bmm/bmm.js';
import { expandDims, squeeze } from '../shape/shape.js';
import { isMatmul2d, matmulBroadcast, type MatmulBroadcastOps } from './matmul-broadcast.js';
import { expectRank, sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { ACTIVATIONS, type Activation } from '../shared/activation.js';
import type { MatmulConfig } from './matmul.wgsl.js';
import { matmulOnCpu, type MatmulProblem } from './matmul.cpu.js';
import { matmulOnWasm } from './matmul.wasm.js';
import { MATMUL_CONFIGS, matmulOnWebgpu } from './matmul.webgpu.js';

/** Options of `matmul`: transposed operands, a bias, a fused activation, the kernel configuration. */
export interface MatmulOptions {
  /** `a` is stored [K, M]: the product uses its transpose (read transposed by the kernel, no copy). */
  transA?: boolean;
  /** `b` is stored [N, K]: the product uses its transpose. */
  transB?: boolean;
  /** Shape `[N]`: added to every row of the product (per column), in the kernel's epilogue. */
  bias?: Tensor;
  /** Applied after the bias, in the epilogue. */
  activation?: Activation;
  /**
   * Force a WGSL tiling (for benchmarks and tuning): a name from MATMUL_CONFIGS or a config. By
   * default the tiling is chosen from the problem size and the device's workgroup-memory limit.
   * WebGPU only: the CPU and wasm devices ignore it.
   */
  config?: keyof typeof MATMUL_CONFIGS | MatmulConfig;
  /**
   * Force split-K into this many parts of K (1: never split; see split-k.ts). By default it is
   * chosen with the tiling: on a hardware GPU, for products with few blocks and a long K.
   */
  splitK?: number;
  /**
   * Force the wasm kernel's macro tile, mc rows x nc columns of C per claim of the tile counter
   * (for the page's kernel reader and tuning): mc a positive multiple of the register tile's rows
   * (`MATMUL_MR`), nc of its columns (`MATMUL_NR`). By default `chooseWasmMatmulTiles` picks it.
   * The result is the same bits whatever the tile. wasm only: the other devices ignore it.
   */
  wasmTiles?: { mc: number; nc: number };
}

/**
 * The 2-D product with the fused epilogue on each device: the CPU twin, kernels-wasm's
 * assembly/matmul (tiled by matmul.wasm.ts), the WGSL kernel (tiling chosen by matmul.webgpu.ts).
 */
const MATMUL: DeviceTable<(p: MatmulProblem, opts: MatmulOptions) => void> = {
  cpu: matmulOnCpu,
  wasm: matmulOnWasm,
  webgpu: matmulOnWebgpu,
};

/**
 * `t` as a dense row-major matrix and whether it is stored transposed relative to what it holds.
 * A transposed view of a dense matrix (strides [1, rows], offset 0) is its storage read the other
 * way round: flip the flag instead of copying. Anything else that is not dense is copied. `owned`:
 * the returned tensor (a new view or a copy) is the caller's to dispose.
 */
function asStored(t: Tensor, trans: boolean): { t: Tensor; trans: boolean; owned: boolean } {
  if (t.isDense) return { t, trans, owned: false };
  const [r, c] = t.shape as [number, number];
  const transposedView = t.offset === 0 && (r === 1 || t.strides[0] === 1) && (c === 1 || t.strides[1] === r);
  if (transposedView) return { t: t.view([c, r], [r, 1], 0), trans: !trans, owned: true };
  return { t: dense(t), trans, owned: true };
}

/**
 * C = act(op(a)·op(b) + bias): a is [M,K] (or stored [K,M] with transA), b is [K,N] (or stored
 * [N,K] with transB), bias [N]; the result is a new dense [M,N] tensor of a's dtype (f32; f64 on
 * the CPU). Bias and activation are fused into the kernel's epilogue: the WGSL kernel on WebGPU,
 * kernels-wasm's assembly/matmul on wasm, the CPU twin on the CPU.
 *
 * Other ranks broadcast as `torch.matmul` does (matmul-broadcast.ts): a 1-D operand is a row (a)
 * or a column (b) whose added dim is dropped from the result, and operands of rank 3 and more are
 * stacks of matrices with NumPy-broadcast batch dims ([..., M, K]·[..., K, N] -> [..., M, N], by
 * `bmm`), bias and activation applied after.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  return isMatmul2d(a, b) ? matmul2d(a, b, opts) : matmulBroadcast(KERNEL_OPS, a, b, opts);
}

/** The kernel ops matmulBroadcast composes (autograd passes its recording ones instead). */
const KERNEL_OPS: MatmulBroadcastOps<MatmulOptions> = {
  matmul2d: (a, b, opts) => matmul2d(a, b, opts),
  bmm,
  expandDims,
  squeeze,
  add,
  relu,
  sigmoid,
  disposeIntermediates: true,
};

/** The 2-D product with the fused epilogue (matmul of two rank-2 operands). */
function matmul2d(a: Tensor, b: Tensor, opts: MatmulOptions): Tensor {
  const op = 'matmul';
  const { transA = false, transB = false, bias, activation = 'none' } = opts;
  const device = bias ? sameDevice(op, a, b, bias) : sameDevice(op, a, b);
  expectRank(op, 'a', a, 2);
  expectRank(op, 'b', b, 2);
  if (bias) expectRank(op, 'bias', bias, 1);
  for (const [name, t] of [
    ['a', a],
    ['b', b],
    ['bias', bias],
  ] as const) {
    if (t && t.dtype !== 'f32' && t.dtype !== 'f64') {
      throw new SaddleError(op, `${name} has dtype ${t.dtype} ${fmtShape(t.shape)}; expected f32 (or f64 on the CPU)`);
    }
  }
  if (b.dtype !== a.dtype || (bias && bias.dtype !== a.dtype)) {
    throw new SaddleError(op, `dtypes differ: a is ${a.dtype}, b is ${b.dtype}${bias ? `, bias is ${bias.dtype}` : ''}; expected one dtype`);
  }
  if (!ACTIVATIONS.includes(activation)) {
    throw new SaddleError(op, `unknown activation '${String(activation)}'; expected ${ACTIVATIONS.map((x) => `'${x}'`).join(', ')}`);
  }
  const ak = transA ? 0 : 1;
  const bk = transB ? 1 : 0;
  const m = a.shape[1 - ak]!;
  const k = a.shape[ak]!;
  const n = b.shape[1 - bk]!;
  if (b.shape[bk] !== k) {
    const flags = [transA ? 'transA' : '', transB ? 'transB' : ''].filter(Boolean).join(', ');
    throw new SaddleError(
      op,
      `inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}${flags ? ` (${flags})` : ''}; expected a[${ak}] == b[${bk}]`,
    );
  }
  if (bias && bias.shape[0] !== n) {
    throw new SaddleError(op, `bias has shape ${fmtShape(bias.shape)}; expected [${n}] (one per column of the [${m}, ${n}] product)`);
  }

  const out = Tensor.empty([m, n], a.dtype, device);
  if (m === 0 || n === 0) return out;
  const sa = asStored(a, transA);
  const sb = asStored(b, transB);
  const sbias = bias ? { t: dense(bias), owned: !bias.isDense } : null;
  try {
    MATMUL[device.kind]({ a: sa.t, b: sb.t, bias: sbias?.t ?? null, out, m, n, k, transA: sa.trans, transB: sb.trans, activation }, opts);
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (sa.owned) sa.t.dispose();
    if (sb.owned) sb.t.dispose();
    if (sbias?.owned) sbias.t.dispose();
  }
  return out;
}
