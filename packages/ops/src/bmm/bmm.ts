import { Params, SaddleError, Tensor, broadcastShapes, fmtShape, sizeOf } from '@saddle/tensor';
import { asGpu, asWasm, sameDevice, sameDType } from '../shared/launch.js';
import { bmmCpu, type BmmOperand } from './bmm.cpu.js';
import { BMM_MAX_BATCH_RANK, BMM_TILE, bmmWgsl } from './bmm.wgsl.js';

/** Options of the batched matmul: transposed operands. */
export interface BmmOptions {
  /** Read a as [..., K, M] (use its transpose). */
  transA?: boolean;
  /** Read b as [..., N, K] (use its transpose). */
  transB?: boolean;
}

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
  if (a.rank < 2 || b.rank < 2) throw new SaddleError(op, `a is ${fmtShape(a.shape)} and b is ${fmtShape(b.shape)}; expected rank 2 or more for both ([..., M, K] and [..., K, N])`);
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const [m, ka] = transA ? [a.shape[a.rank - 1]!, a.shape[a.rank - 2]!] : [a.shape[a.rank - 2]!, a.shape[a.rank - 1]!];
  const [kb, n] = transB ? [b.shape[b.rank - 1]!, b.shape[b.rank - 2]!] : [b.shape[b.rank - 2]!, b.shape[b.rank - 1]!];
  if (ka !== kb) {
    throw new SaddleError(op, `a is ${fmtShape(a.shape)}${transA ? ' (transA)' : ''} and b is ${fmtShape(b.shape)}${transB ? ' (transB)' : ''}: inner dims ${ka} and ${kb} differ; expected [..., M, K] x [..., K, N]`);
  }
  const batchShape = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (batchShape.length > BMM_MAX_BATCH_RANK) throw new SaddleError(op, `${batchShape.length} batch dims; expected at most ${BMM_MAX_BATCH_RANK}`);
  const batches = sizeOf(batchShape);
  const out = Tensor.empty([...batchShape, m, n], a.dtype, device);
  const ra = operand(a, transA, batchShape);
  const rb = operand(b, transB, batchShape);
  if (device.kind === 'cpu') {
    bmmCpu(ra, rb, batchShape, m, ka, n, out.storage.data!);
    return out;
  }
  if (out.size === 0) return out;
  if (device.kind === 'wasm') {
    const w = asWasm(device);
    const dims = w.ints([batchShape.length, ...batchShape, ...ra.batchStrides, ...rb.batchStrides]);
    const args = [m, ka, n, batches, w.address(a.storage, ra.offset), ra.row, ra.col, w.address(b.storage, rb.offset), rb.row, rb.col, w.address(out.storage), dims] as const;
    w.run('bmmF32', args, batches * m * n * Math.max(ka, 1));
    return out;
  }
  if (batches > 65535) throw new SaddleError(op, `${batches} batches; expected at most 65535 (one workgroup row per batch)`);
  asGpu(device).dispatch({
    label: op,
    code: bmmWgsl(),
    params: new Params()
      .u32(m, ka, n, batchShape.length, ra.offset, ra.row, ra.col, rb.offset, rb.row, rb.col, 0, 0)
      .vec4u(batchShape, 1)
      .vec4u(ra.batchStrides, 1)
      .vec4u(rb.batchStrides, 1)
      .finish(),
    buffers: [a.storage, b.storage, out.storage],
    workgroups: [Math.ceil(n / BMM_TILE), Math.ceil(m / BMM_TILE), batches],
  });
  return out;
}
