/**
 * The differentiable op set: every op of @saddle/ops, wrapped so that it records onto
 * the tape when grad mode is on and one of its inputs requires grad. Each wrapper runs the kernel
 * op unchanged (same signature, same result), then `record`s a node with what its rule needs.
 * With grad mode off, or no input requiring grad, a wrapper costs one check.
 *
 * Not differentiable, and re-exported as they are: creation and random draws (rand, randn,
 * randint, dropoutMask), argmax, the comparisons and the logical ops (greater, greaterEqual, equal,
 * notEqual, less, lessEqual, logicalAnd/Or/Not: piecewise constant, their outputs never require grad), the optimizer updates (in place) and copyInto (in place).
 * The gradient kernels the rules use (sigmoidBceGrad, maxoutBackward, unslice) record too: see
 * rules/common.ts.
 */
import { Tensor, isFloat, zeros, type DType, type Shape } from '@saddle/tensor';
import * as k from '@saddle/ops';
import type {
  AvgPool2dOptions,
  Axes,
  BinaryOpName,
  BmmOptions,
  Conv2dOptions,
  ConvTranspose2dOptions,
  DropoutOptions,
  MatmulOptions,
  MaxPool2dOptions,
  UnaryOpName,
} from '@saddle/ops';
import { record, shouldRecord } from './tape.js';
import { UNARY_RULES, binaryRule, binarySaves, isDifferentiableBinary, isDifferentiableUnary, unaryRule } from './rules/elementwise.js';
import { matmulRule } from './rules/matmul.js';
import { maxRule, meanRule, sumRule, sumToRule } from './rules/reduce.js';
import { maxoutBackwardRule, maxoutDropoutRule, maxoutRule } from './rules/maxout.js';
import { sigmoidBceGradRule, sigmoidBceRule } from './rules/bce.js';
import { dropoutRule } from './rules/dropout.js';
import { broadcastToRule, concatRule, reshapeRule, sliceRule, transposeRule, unsliceRule } from './rules/shape.js';
import { logSoftmaxRule, softmaxRule } from './rules/softmax.js';
import { crossEntropyGradRule, crossEntropyRule } from './rules/cross-entropy.js';
import { clampRule, leakyReluRule } from './rules/parametric.js';
import { whereRule } from './rules/where.js';
import { gatherRule, scatterAddRule } from './rules/gather.js';
import { bmmRule } from './rules/bmm.js';
import { castRule } from './rules/cast.js';
import { avgPool2dBackwardRule, avgPool2dRule, maxPool2dBackwardRule, maxPool2dRule } from './rules/pool.js';
import { conv2dRule, convTranspose2dRule } from './rules/conv.js';

type Operand = Tensor | number;

// ---------------------------------------------------------------- elementwise

/** Applies unary op `name` elementwise (see the named ops below). */
export function unary(name: UnaryOpName, x: Tensor): Tensor {
  const y = k.unary(name, x);
  // logicalNot, like the comparisons, is piecewise constant (op-list.ts): never recorded.
  if (!isDifferentiableUnary(name) || !shouldRecord(x)) return y;
  const saves = UNARY_RULES[name].saves;
  return record(name === 'copy' ? 'contiguous' : name, y, [x], [saves === 'x' ? x : saves === 'y' ? y : null], unaryRule(name));
}

/** Applies binary op `name` with NumPy broadcasting; a number operand takes the tensor's dtype. */
export function binary(name: BinaryOpName, a: Operand, b: Operand): Tensor {
  const y = k.binary(name, a, b);
  // The comparisons are piecewise constant: their results carry no gradient and are never recorded.
  if (!isDifferentiableBinary(name) || !shouldRecord(a, b)) return y;
  return record(name, y, [a, b], binarySaves(name, a, b, y), binaryRule(name, shapeOf(a), shapeOf(b)));
}

const shapeOf = (x: Operand): Shape => (typeof x === 'number' ? [] : x.shape);

// The named elementwise ops: one for each op of the kernel tables (@saddle/ops namedElementwiseOps),
// over the recording unary and binary above.
export const {
  /** Elementwise −x. Recorded on the tape when an input requires grad. */
  neg,
  /** Elementwise |x|. Recorded on the tape when an input requires grad. */
  abs,
  /** Elementwise sign: −1, 0 or 1. Recorded on the tape when an input requires grad. */
  sign,
  /** Elementwise x². Recorded on the tape when an input requires grad. */
  square,
  /** Elementwise eˣ. Recorded on the tape when an input requires grad. */
  exp,
  /** Elementwise natural logarithm. Recorded on the tape when an input requires grad. */
  log,
  /** Elementwise square root. Recorded on the tape when an input requires grad. */
  sqrt,
  /** Elementwise 1 / x. Recorded on the tape when an input requires grad. */
  reciprocal,
  /** Elementwise max(x, 0). Recorded on the tape when an input requires grad. */
  relu,
  /**
   * Elementwise Heaviside step: 1 where x > 0, else 0 (the derivative of relu). Recorded on the tape when an
   * input requires grad.
   */
  step,
  /** Elementwise logistic sigmoid 1 / (1 + e⁻ˣ). Recorded on the tape when an input requires grad. */
  sigmoid,
  /** Elementwise hyperbolic tangent. Recorded on the tape when an input requires grad. */
  tanh,
  /** Elementwise log(1 + eˣ), computed without overflow. Recorded on the tape when an input requires grad. */
  softplus,
  /** Elementwise log(1 + x), accurate for small x. Recorded on the tape when an input requires grad. */
  log1p,
  /** Elementwise eˣ − 1, accurate for small x. Recorded on the tape when an input requires grad. */
  expm1,
  /** Elementwise log(sigmoid(x)) = −softplus(−x), without overflow. Recorded on the tape when an input requires grad. */
  logSigmoid,
  /** A dense copy (the materialization of a view). */
  contiguous,
  /**
   * Elementwise a + b, with NumPy broadcasting (either side may be a number). Recorded on the tape when an
   * input requires grad.
   */
  add,
  /**
   * Elementwise a − b, with NumPy broadcasting (either side may be a number). Recorded on the tape when an
   * input requires grad.
   */
  sub,
  /**
   * Elementwise a · b, with NumPy broadcasting (either side may be a number). Recorded on the tape when an
   * input requires grad.
   */
  mul,
  /**
   * Elementwise a / b, with NumPy broadcasting (either side may be a number). Recorded on the tape when an
   * input requires grad.
   */
  div,
  /**
   * Elementwise max(a, b), with NumPy broadcasting (either side may be a number). Recorded on the tape when an
   * input requires grad.
   */
  maximum,
  /**
   * Elementwise min(a, b), with NumPy broadcasting (either side may be a number). Recorded on the tape when an
   * input requires grad.
   */
  minimum,
  /**
   * Elementwise a raised to the power b, with NumPy broadcasting (either side may be a number). Recorded on the
   * tape when an input requires grad.
   */
  pow,
  /**
   * Elementwise 1 where a > b, else 0, with NumPy broadcasting (either side may be a number). Recorded on the
   * tape when an input requires grad.
   */
  greater,
  /**
   * Elementwise 1 where a ≥ b, else 0, with NumPy broadcasting (either side may be a number). Recorded on the
   * tape when an input requires grad.
   */
  greaterEqual,
  /**
   * Elementwise 1 where a == b, else 0, with NumPy broadcasting (either side may be a number). Recorded on the
   * tape when an input requires grad.
   */
  equal,
  /** Elementwise 1 where a ≠ b (and where either is NaN), else 0, with NumPy broadcasting. */
  notEqual,
  /** Elementwise 1 where a < b, else 0, with NumPy broadcasting (either side may be a number). */
  less,
  /** Elementwise 1 where a ≤ b, else 0, with NumPy broadcasting (either side may be a number). */
  lessEqual,
  /** Elementwise 1 where a and b are both nonzero, else 0, with NumPy broadcasting (NaN counts as true). */
  logicalAnd,
  /** Elementwise 1 where a or b is nonzero, else 0, with NumPy broadcasting (NaN counts as true). */
  logicalOr,
  /** Elementwise 1 where x is 0, else 0 (NaN counts as true, so gives 0). */
  logicalNot,
} = k.namedElementwiseOps(unary, binary);

/** `x` itself if it is dense, else a dense copy. */
export const dense = (x: Tensor) => (x.isDense ? x : contiguous(x));

// ---------------------------------------------------------------- matmul

/**
 * act(op(a)·op(b) + bias), as `matmul` of @saddle/ops; gradients for a, b and bias. Other
 * ranks than two 2-D operands (1-D, batched with broadcast batch dims) are recorded as the ops they
 * are made of (expandDims, bmm, add, the activation, squeeze: see matmul-broadcast.ts there).
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const recording = shouldRecord(a, b, opts.bias);
  if (recording && !k.isMatmul2d(a, b)) return k.matmulBroadcast(RECORDING_MATMUL_OPS, a, b, opts);
  const y = k.matmul(a, b, opts);
  if (!recording) return y;
  const activation = opts.activation ?? 'none';
  return record('matmul', y, [a, b, opts.bias], [a, b, activation === 'none' ? null : y], matmulRule(!!opts.transA, !!opts.transB, activation));
}

// ---------------------------------------------------------------- reductions

/** Sum over `axes` (all by default); `keepDims` keeps them as size 1. Recorded on the tape. */
export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const y = k.sum(x, axes, keepDims);
  return shouldRecord(x) ? record('sum', y, [x], [], sumRule(x.shape, axes)) : y;
}

/** Mean over `axes` (all by default); `keepDims` keeps them as size 1. Recorded on the tape. */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const y = k.mean(x, axes, keepDims);
  return shouldRecord(x) ? record('mean', y, [x], [], meanRule(x.shape, axes)) : y;
}

/**
 * Maximum over `axes` (all by default); the gradient goes to the maxima, split evenly between ties. Recorded
 * on the tape.
 */
export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const y = k.max(x, axes, keepDims);
  return shouldRecord(x) ? record('max', y, [x], [x, y], maxRule(x.shape, axes)) : y;
}

/** The maximum along `axis` and its index (i32), as PyTorch's `x.max(dim)`; `values` records (max's rule). */
export function maxWithIndices(x: Tensor, axis: number, keepDims = false): { values: Tensor; indices: Tensor } {
  const indices = k.argmax(x, axis, keepDims);
  return { values: max(x, axis, keepDims), indices };
}

/** Sums the broadcast dimensions of `x` away to get `shape` (the gradient of broadcasting). Recorded on the tape. */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  const y = k.sumTo(x, shape);
  return shouldRecord(x) ? record('sumTo', y, [x], [], sumToRule(x.shape, shape)) : y;
}

// ---------------------------------------------------------------- maxout, dropout, BCE

/** Maxout over groups of `pieces` columns; `out` records (its rule reuses `argmax` and `x`, which must stay alive until backward). */
export function maxout(x: Tensor, pieces: number): { out: Tensor; argmax: Tensor } {
  const r = k.maxout(x, pieces);
  if (shouldRecord(x)) record('maxout', r.out, [x], [r.argmax, x], maxoutRule(pieces));
  return r;
}

/**
 * Maxout, then inverted dropout of its output, in one kernel (bit for bit `dropout(maxout(x).out,
 * keep, opts)`, drawing the same numbers). `out` records; its rule reuses `argmax`, `mask` and `x`,
 * which must stay alive until backward, and scatters `g * mask` to the argmax in one kernel.
 */
export function maxoutDropout(x: Tensor, pieces: number, keep: number, opts: DropoutOptions = {}): { out: Tensor; argmax: Tensor; mask: Tensor } {
  const r = k.maxoutDropout(x, pieces, keep, opts);
  if (shouldRecord(x)) record('maxoutDropout', r.out, [x], [r.argmax, r.mask, x], maxoutDropoutRule(pieces));
  return r;
}

/** Inverted dropout; `out` records (its rule multiplies by `mask`, which must stay alive until backward). */
export function dropout(x: Tensor, keep: number, opts: DropoutOptions = {}): { out: Tensor; mask: Tensor } {
  const r = k.dropout(x, keep, opts);
  if (shouldRecord(x)) record('dropout', r.out, [x], [r.mask], dropoutRule);
  return r;
}

/** Mean binary cross-entropy of sigmoid(logits) against targets (a tensor or a number), shape []. */
export function sigmoidBce(logits: Tensor, targets: Tensor | number): Tensor {
  const y = k.sigmoidBce(logits, targets);
  if (!shouldRecord(logits, targets)) return y;
  return record('sigmoidBce', y, [logits, targets], [logits, targets], sigmoidBceRule(logits.size));
}

// ---------------------------------------------------------------- backward kernels, as ops
// The rules above call these kernels; as recording ops (each with a rule of its own) they keep a
// gradient built with `backward({ createGraph: true })` differentiable.

/** The gradient of sigmoidBce with respect to the logits, times `scale` (see @saddle/ops). */
export function sigmoidBceGrad(logits: Tensor, targets: Tensor | number, scale: Tensor | number = 1): Tensor {
  const y = k.sigmoidBceGrad(logits, targets, scale);
  if (!shouldRecord(logits, targets, scale)) return y;
  return record('sigmoidBceGrad', y, [logits, targets, scale], [logits, targets, scale], sigmoidBceGradRule(logits.size));
}

/** maxout's gradient kernel: dy (times `mask`) scattered to the argmax pieces (see @saddle/ops). */
export function maxoutBackward(dy: Tensor, argmax: Tensor, pieces: number, mask?: Tensor, x?: Tensor): Tensor {
  const y = k.maxoutBackward(dy, argmax, pieces, mask, x);
  return shouldRecord(dy) ? record('maxoutBackward', y, [dy], [argmax, mask ?? null, x ?? null], maxoutBackwardRule(pieces)) : y;
}

/**
 * slice's gradient: zeros of `shape` with `x` written at `begin`, every `steps[i]`-th element
 * (default 1); its own gradient slices it back out.
 */
export function unslice(x: Tensor, shape: Shape, begin: readonly number[], steps?: readonly number[]): Tensor {
  const y = zeros(shape, { dtype: x.dtype, device: x.device });
  const block = k.slice(y, begin, stepExtent(x.shape, steps), steps);
  k.copyInto(block, x);
  block.dispose();
  return shouldRecord(x) ? record('unslice', y, [x], [], unsliceRule(begin, stepExtent(x.shape, steps), steps)) : y;
}

/** The span a slice with `steps` covers to take `counts` elements per axis: (count - 1)·step + 1. */
function stepExtent(counts: Shape, steps?: readonly number[]): number[] {
  return counts.map((c, i) => (c === 0 ? 0 : (c - 1) * (steps?.[i] ?? 1) + 1));
}

// ---------------------------------------------------------------- shape

/** The same elements in `shape` (one entry may be -1). A view when `x` is contiguous. Recorded on the tape. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const y = k.reshape(x, shape);
  return shouldRecord(x) ? record('reshape', y, [x], [], reshapeRule(x.shape)) : y;
}

/** Permutes the dimensions (`perm`, reversed by default): a view. Recorded on the tape. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const y = k.transpose(x, perm);
  return shouldRecord(x) ? record('transpose', y, [x], [], transposeRule(perm, x.rank)) : y;
}

/** The block at `begin` of `size` (every `steps[i]`-th element; negative begin from the end), as a view. */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[], steps?: readonly number[]): Tensor {
  const y = k.slice(x, begin, size, steps);
  return shouldRecord(x) ? record('slice', y, [x], [], sliceRule(x.shape, begin, steps)) : y;
}

/** Joins tensors of equal shape but for `axis` along it. Recorded on the tape. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const y = k.concat(xs, axis);
  return shouldRecord(...xs)
    ? record(
        'concat',
        y,
        xs,
        [],
        concatRule(
          xs.map((x) => x.shape),
          axis,
        ),
      )
    : y;
}

/** Repeats size-1 dimensions (and adds leading ones) to reach `shape`: a view. Recorded on the tape. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const y = k.broadcastTo(x, shape);
  return shouldRecord(x) ? record('broadcastTo', y, [x], [], broadcastToRule(x.shape)) : y;
}

/** Inserts a dimension of size 1 at `axis`. Recorded on the tape. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const y = k.expandDims(x, axis);
  return shouldRecord(x) ? record('expandDims', y, [x], [], reshapeRule(x.shape)) : y;
}

/** Removes dimensions of size 1 (`axes`, or all of them). Recorded on the tape. */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const y = k.squeeze(x, axes);
  return shouldRecord(x) ? record('squeeze', y, [x], [], reshapeRule(x.shape)) : y;
}

// ---------------------------------------------------------------- not differentiable

export {
  argmax,
  rand,
  randn,
  randint,
  randomBits,
  dropoutMask,
  sgdMomentumUpdate,
  sgdMomentumUpdateMany,
  sgdMomentumTensorsPerDispatch,
  adamUpdate,
  emaUpdate,
  copyInto,
  Generator,
  manualSeed,
  defaultGenerator,
  DEFAULT_SEED,
  UNARY_OPS,
  BINARY_OPS,
  ACTIVATIONS,
  type UnaryOpName,
  type BinaryOpName,
  type MatmulOptions,
  type Activation,
  type BmmOptions,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type Pair,
  type DropoutOptions,
  type DropoutMaskOptions,
  type RandOptions,
  type RandnOptions,
  type RandintOptions,
  type Seed,
  type RandomSource,
  type SgdMomentumHyperparams,
  type SgdMomentumManyOptions,
  type AdamHyperparams,
  type Axes,
  type Size2d,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
} from '@saddle/ops';

// ---------------------------------------------------------------- softmax, cross-entropy

/** softmax(x) along `axis` (default: the last), stable. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const y = k.softmax(x, axis);
  return shouldRecord(x) ? record('softmax', y, [x], [y], softmaxRule(axis)) : y;
}

/** log(softmax(x)) along `axis` (default: the last), as x - logsumexp(x). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const y = k.logSoftmax(x, axis);
  return shouldRecord(x) ? record('logSoftmax', y, [x], [y], logSoftmaxRule(axis)) : y;
}

/** Mean cross-entropy of softmax(logits [N, C]) against i32 labels [N], fused and stable; shape []. */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const y = k.crossEntropy(logits, labels);
  return shouldRecord(logits) ? record('crossEntropy', y, [logits], [logits, labels], crossEntropyRule) : y;
}

/** crossEntropy's gradient kernel, (softmax(x) - onehot) / N * scale, as a recording op. */
export function crossEntropyGrad(logits: Tensor, labels: Tensor, scale: Tensor | number = 1): Tensor {
  const y = k.crossEntropyGrad(logits, labels, scale);
  if (!shouldRecord(logits, scale)) return y;
  return record('crossEntropyGrad', y, [logits, scale], [logits, labels, scale], crossEntropyGradRule);
}

// ---------------------------------------------------------------- clamp, leakyRelu

/** Each element of x limited to [lo, hi]; the gradient passes strictly inside. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  const y = k.clamp(x, lo, hi);
  return shouldRecord(x) ? record('clamp', y, [x], [x], clampRule(lo, hi)) : y;
}

/** x where x > 0, alpha * x elsewhere (default alpha 0.01). */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  const y = k.leakyRelu(x, alpha);
  return shouldRecord(x) ? record('leakyRelu', y, [x], [x], leakyReluRule(alpha)) : y;
}

// ---------------------------------------------------------------- where

/** `a` where `cond` is nonzero, `b` elsewhere (broadcasting); gradients for a and b. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const y = k.where(cond, a, b);
  return shouldRecord(a, b) ? record('where', y, [a, b], [cond], whereRule(shapeOf(a), shapeOf(b))) : y;
}

// ---------------------------------------------------------------- gather, scatterAdd

/** Rows of `x` by index (i32, 1-D) along `axis` (default 0); the gradient scatters back. */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const y = k.gather(x, indices, axis);
  return shouldRecord(x) ? record('gather', y, [x], [indices], gatherRule(axis, x.shape[axis < 0 ? axis + x.rank : axis]!)) : y;
}

/** gather's gradient as an op: `src` summed into `size` rows along `axis` at `indices`. */
export function scatterAdd(src: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  const y = k.scatterAdd(src, indices, axis, size);
  return shouldRecord(src) ? record('scatterAdd', y, [src], [indices], scatterAddRule(axis)) : y;
}

// ---------------------------------------------------------------- pooling

/**
 * 2-D max pooling of x [N, C, H, W] with the i32 positions of the maxima (see @saddle/ops);
 * `values` records (its rule reuses `indices`, which must stay alive until backward).
 */
export function maxPool2dWithIndices(x: Tensor, opts: MaxPool2dOptions): { values: Tensor; indices: Tensor } {
  const r = k.maxPool2dWithIndices(x, opts);
  if (shouldRecord(x)) record('maxPool2d', r.values, [x], [r.indices], maxPool2dRule(x.shape, opts));
  return r;
}

/** 2-D max pooling of x [N, C, H, W] (PyTorch's `max_pool2d`). Recorded on the tape (the indices stay with it). */
export function maxPool2d(x: Tensor, opts: MaxPool2dOptions): Tensor {
  const r = maxPool2dWithIndices(x, opts);
  // Recorded, the tape holds the indices (saved) until backward; otherwise nothing needs them.
  if (!shouldRecord(x)) r.indices.dispose();
  return r.values;
}

/** 2-D average pooling of x [N, C, H, W] (PyTorch's `avg_pool2d`). Recorded on the tape. */
export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  const y = k.avgPool2d(x, opts);
  return shouldRecord(x) ? record('avgPool2d', y, [x], [], avgPool2dRule(x.shape, opts)) : y;
}

/** maxPool2d's gradient kernel: dy summed into the positions `indices` names. Recorded (its rule gathers). */
export function maxPool2dBackward(dy: Tensor, indices: Tensor, inputShape: readonly number[], opts: MaxPool2dOptions): Tensor {
  const y = k.maxPool2dBackward(dy, indices, inputShape, opts);
  return shouldRecord(dy) ? record('maxPool2dBackward', y, [dy], [indices], maxPool2dBackwardRule([...inputShape])) : y;
}

/** avgPool2d's gradient kernel: dy spread evenly over each window. Recorded (its rule is avgPool2d). */
export function avgPool2dBackward(dy: Tensor, inputShape: readonly number[], opts: AvgPool2dOptions): Tensor {
  const y = k.avgPool2dBackward(dy, inputShape, opts);
  return shouldRecord(dy) ? record('avgPool2dBackward', y, [dy], [], avgPool2dBackwardRule(opts)) : y;
}

// ---------------------------------------------------------------- batched matmul

/** op(a) · op(b) over broadcast batch dims: [..., M, K] x [..., K, N] -> [..., M, N]; gradients for a and b. */
export function bmm(a: Tensor, b: Tensor, opts: BmmOptions = {}): Tensor {
  const y = k.bmm(a, b, opts);
  return shouldRecord(a, b) ? record('bmm', y, [a, b], [a, b], bmmRule(!!opts.transA, !!opts.transB, a.shape, b.shape)) : y;
}

// ---------------------------------------------------------------- cast

/**
 * `x` converted to `dtype`, as `cast` of @saddle/ops (float to integer truncates toward
 * zero, saturates, NaN to 0). Between float dtypes (f32 <-> f64 on the CPU) it records, the
 * gradient cast back; an integer result carries no gradient and is not recorded.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  const y = k.cast(x, dtype);
  return isFloat(x.dtype) && isFloat(dtype) && shouldRecord(x) ? record('cast', y, [x], [], castRule(x.dtype)) : y;
}

// ---------------------------------------------------------------- convolution

/**
 * 2-D convolution, as `conv2d` of @saddle/ops (NCHW x, w [Cout, Cin/groups, kH, kW]);
 * gradients for x, w and bias, written in conv2d and convTranspose2d (rules/conv.ts).
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  const y = k.conv2d(x, w, opts);
  return shouldRecord(x, w, opts.bias) ? record('conv2d', y, [x, w, opts.bias], [x, w], conv2dRule(k.conv2dGeometry(x, w, opts))) : y;
}

/**
 * 2-D transposed convolution, as `convTranspose2d` of @saddle/ops (w [Cin, Cout/groups, kH, kW]);
 * gradients for x, w and bias, written in conv2d and convTranspose2d (rules/conv.ts).
 */
export function convTranspose2d(x: Tensor, w: Tensor, opts: ConvTranspose2dOptions = {}): Tensor {
  const y = k.convTranspose2d(x, w, opts);
  return shouldRecord(x, w, opts.bias)
    ? record('convTranspose2d', y, [x, w, opts.bias], [x, w], convTranspose2dRule(k.convTranspose2dGeometry(x, w, opts)))
    : y;
}

/** matmulBroadcast's ops, recording (the intermediates may be saved by the tape: not disposed here). */
const RECORDING_MATMUL_OPS: k.MatmulBroadcastOps<MatmulOptions> = {
  matmul2d: (a, b, opts) => matmul(a, b, opts),
  bmm: (a, b, opts) => bmm(a, b, opts),
  expandDims: (x, axis) => expandDims(x, axis),
  squeeze: (x, axes) => squeeze(x, axes),
  add: (a, b) => add(a, b),
  relu: (x) => relu(x),
  sigmoid: (x) => sigmoid(x),
  disposeIntermediates: false,
};
