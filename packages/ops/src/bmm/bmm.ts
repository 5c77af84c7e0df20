import { SaddleError, Tensor, broadcastShapes, fmtShape } from '@saddle/tensor';
import { sameDevice, sameDType } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { bmmOnCpu, type BmmOperand, type BmmProblem } from './bmm.cpu.js';
import { bmmOnWasm } from './bmm.wasm.js';
import { bmmOnWebgpu } from './bmm.webgpu.js';
import { BMM_MAX_BATCH_RANK } from './bmm.wgsl.js';

/** Options of the batched matmul: transposed operands. */
export interface BmmOptions {
  /** Read a as [..., K, M] (use its transpose). */
  transA?: boolean;
  /** Read b as [..., N, K] (use its transpose). */
  transB?: boolean;
}

/** The batched product on each device: the CPU twin, kernels-wasm's assembly/bmm, bmm.wgsl.ts. */
const BMM: DeviceTable<(p: BmmProblem) => void> = {
  cpu: bmmOnCpu,
  wasm: bmmOnWasm,
  webgpu: bmmOnWebgpu,
};

/** The strides that read `t`'s matrix dims as op(t) and its batch dims as `batchShape` (0 where broadcast). */
function operand(t: Tensor, trans: boolean, batchShape: readonly number[]): BmmOperand {
  const r = t.rank;
  const [row, col] = trans ? [t.strides[r - 1]!, t.strides[r - 2]!] : [t.strides[r - 2]!, t.strides[r - 1]!];
  const lead = batchShape.length - (r - 2);
  const batchStrides = batchShape.map((_, d) => (d < lead || t.shape[d - lead] === 1 ? 0 : t.strides[d - lead]!));
  return { data: t.storage.data!, offset: t.offset, row, col, batchStrides };
}

/**
 * Batched matrix product: a [..., M, K] · b [..., K, N] -> [..., M, N], the batch dims (all but
 * the last two) broadcast like NumPy's (`matmul` semantics; a rank-2 operand is shared by every
 * batch). `transA` / `transB` read an operand as its transpose without a copy. Views (transposed,
 * sliced, broadcast) are read through their strides. f32 (f64 on the CPU).
 */
export function bmm(a: Tensor, b: Tensor, opts: BmmOptions = {}): Tensor {
  const op = 'bmm';
  const device = sameDevice(op, a, b);
  sameDType(op, a, b);
  if (a.dtype !== 'f32' && a.dtype !== 'f64') throw new SaddleError(op, `dtype ${a.dtype} is not supported; expected f32 (or f64 on the CPU)`);
  if (a.rank < 2 || b.rank < 2)
    throw new SaddleError(op, `a is ${fmtShape(a.shape)} and b is ${fmtShape(b.shape)}; expected rank 2 or more for both ([..., M, K] and [..., K, N])`);
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const [m, ka] = transA ? [a.shape[a.rank - 1]!, a.shape[a.rank - 2]!] : [a.shape[a.rank - 2]!, a.shape[a.rank - 1]!];
  const [kb, n] = transB ? [b.shape[b.rank - 1]!, b.shape[b.rank - 2]!] : [b.shape[b.rank - 2]!, b.shape[b.rank - 1]!];
  if (ka !== kb) {
    throw new SaddleError(
      op,
      `a is ${fmtShape(a.shape)}${transA ? ' (transA)' : ''} and b is ${fmtShape(b.shape)}${transB ? ' (transB)' : ''}: inner dims ${ka} and ${kb} differ; expected [..., M, K] x [..., K, N]`,
    );
  }
  const batchShape = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (batchShape.length > BMM_MAX_BATCH_RANK) throw new SaddleError(op, `${batchShape.length} batch dims; expected at most ${BMM_MAX_BATCH_RANK}`);
  const out = Tensor.empty([...batchShape, m, n], a.dtype, device);
  const ra = operand(a, transA, batchShape);
  const rb = operand(b, transB, batchShape);
  // (The CPU twin writes nothing for an empty product either.)
  if (out.size === 0) return out;
  BMM[device.kind]({ a, b, ra, rb, batchShape, m, k: ka, n, out });
  return out;
}
