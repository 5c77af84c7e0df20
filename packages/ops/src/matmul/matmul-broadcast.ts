/**
 * `matmul` beyond two 2-D operands, as `torch.matmul` and `tf.matMul` do it:
 *
 * - a 1-D `a` [K] is read as the row [1, K] and a 1-D `b` [K] as the column [K, 1]; the added dim
 *   is dropped from the result (so [K]·[K] is a scalar [], [K]·[K, N] is [N], [M, K]·[K] is [M]);
 * - operands of rank 3 and more are stacks of matrices: [..., M, K]·[..., K, N] -> [..., M, N], the
 *   batch dims (all but the last two) broadcast like NumPy's, so a rank-2 operand is shared by
 *   every batch. That product is `bmm` (one kernel, reading broadcast and transposed operands
 *   through their strides, no copy); `transA` / `transB` read a stacked operand's matrices as their
 *   transposes; `bias` [N] and the activation follow as ordinary ops.
 *
 * Two 2-D operands (after the 1-D promotion) take the fused 2-D kernel, epilogue included.
 *
 * The composition is written once, against a table of ops: @saddle/ops's `matmul` passes
 * the kernel ops (and disposes the intermediates), @saddle/autograd's passes its recording ops, so
 * the gradient is that of the pieces (bmm's rule sums the broadcast batch dims back out).
 */
import { SaddleError, broadcastShapes, fmtShape, type Tensor } from '@saddle/tensor';
import type { BmmOptions } from '../bmm/bmm.js';
import { ACTIVATIONS, type Activation } from '../shared/activation.js';

/** The options matmulBroadcast reads (matmul's MatmulOptions; the rest pass to the 2-D kernel). */
export interface BroadcastMatmulOptions {
  transA?: boolean;
  transB?: boolean;
  bias?: Tensor;
  activation?: Activation;
}

/** The ops the composition runs: the kernel ops, or autograd's recording wrappers of them. */
export interface MatmulBroadcastOps<O extends BroadcastMatmulOptions = BroadcastMatmulOptions> {
  /** The fused 2-D product (matmul of two rank-2 operands). */
  matmul2d(a: Tensor, b: Tensor, opts: O): Tensor;
  /** The batched product with broadcast batch dims. */
  bmm(a: Tensor, b: Tensor, opts: BmmOptions): Tensor;
  /** Promotes a 1-D operand (a new axis of size 1). */
  expandDims(x: Tensor, axis: number): Tensor;
  /** Drops the axis a promotion added. */
  squeeze(x: Tensor, axes: number): Tensor;
  /** Adds the bias of a batched product. */
  add(a: Tensor, b: Tensor): Tensor;
  /** The activation 'relu' of a batched product. */
  relu(x: Tensor): Tensor;
  /** The activation 'sigmoid' of a batched product. */
  sigmoid(x: Tensor): Tensor;
  /** Whether to dispose the intermediates (the kernel path); autograd's tape may have saved them. */
  disposeIntermediates: boolean;
}

/** Whether `matmul(a, b)` is the plain 2-D product (no promotion, no batch dims). */
export function isMatmul2d(a: Tensor, b: Tensor): boolean {
  return a.rank === 2 && b.rank === 2;
}

/** op(a)·op(b) (+ bias, activation) for operands of any rank >= 1, as described above. */
export function matmulBroadcast<O extends BroadcastMatmulOptions>(ops: MatmulBroadcastOps<O>, a: Tensor, b: Tensor, opts: O): Tensor {
  const op = 'matmul';
  a.assertAlive(op);
  b.assertAlive(op);
  const { transA = false, transB = false, bias, activation = 'none' } = opts;
  const shapes = `a is ${fmtShape(a.shape)}${transA ? ' (transA)' : ''}, b is ${fmtShape(b.shape)}${transB ? ' (transB)' : ''}`;
  if (a.rank === 0 || b.rank === 0) throw new SaddleError(op, `${shapes}; expected rank 1 or more for both (a scalar product is mul)`);
  if ((transA && a.rank === 1) || (transB && b.rank === 1)) {
    throw new SaddleError(
      op,
      `${shapes}; expected ${transA && a.rank === 1 ? 'transA' : 'transB'} only on an operand of rank 2 or more (a vector has no transpose to take)`,
    );
  }
  for (const [name, t] of [
    ['a', a],
    ['b', b],
    ['bias', bias],
  ] as const) {
    if (t && t.dtype !== 'f32' && t.dtype !== 'f64')
      throw new SaddleError(op, `${name} has dtype ${t.dtype} ${fmtShape(t.shape)}; expected f32 (or f64 on the CPU)`);
  }
  if (b.dtype !== a.dtype || (bias && bias.dtype !== a.dtype)) {
    throw new SaddleError(op, `dtypes differ: a is ${a.dtype}, b is ${b.dtype}${bias ? `, bias is ${bias.dtype}` : ''}; expected one dtype`);
  }
  if (!ACTIVATIONS.includes(activation)) {
    throw new SaddleError(op, `unknown activation '${String(activation)}'; expected ${ACTIVATIONS.map((x) => `'${x}'`).join(', ')}`);
  }
  const ra = a.rank;
  const rb = b.rank;
  const k = ra === 1 ? a.shape[0]! : a.shape[transA ? ra - 2 : ra - 1]!;
  const kb = rb === 1 ? b.shape[0]! : b.shape[transB ? rb - 1 : rb - 2]!;
  if (k !== kb) throw new SaddleError(op, `${shapes}: inner dims ${k} and ${kb} differ; expected [..., M, K] x [..., K, N] (a vector is [K])`);
  const n = rb === 1 ? 1 : b.shape[transB ? rb - 2 : rb - 1]!;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== n))
    throw new SaddleError(op, `bias has shape ${fmtShape(bias.shape)} (${shapes}); expected [${n}], one per column`);
  broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));

  const temps: Tensor[] = [];
  const temp = (t: Tensor) => (temps.push(t), t);
  try {
    const a2 = ra === 1 ? temp(ops.expandDims(a, 0)) : a;
    const b2 = rb === 1 ? temp(ops.expandDims(b, 1)) : b;
    let y: Tensor;
    if (isMatmul2d(a2, b2)) y = ops.matmul2d(a2, b2, opts);
    else {
      y = ops.bmm(a2, b2, { transA, transB });
      if (bias) y = ops.add(temp(y), bias);
      if (activation !== 'none') y = ops[activation](temp(y));
    }
    // Drop the dims the 1-D promotion added: the column of a promoted b, then the row of a promoted a.
    if (rb === 1) y = ops.squeeze(temp(y), -1);
    if (ra === 1) y = ops.squeeze(temp(y), rb === 1 ? -1 : -2);
    return y;
  } finally {
    if (ops.disposeIntermediates) for (const t of temps) t.dispose();
  }
}
