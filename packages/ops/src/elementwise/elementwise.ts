import { SaddleError, Tensor, broadcastShapes, fromArray, type Shape } from '@saddle/tensor';
import { sameDevice, sameDType } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { MAX_RANK, readAs } from '../shared/strided.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOpName, type UnaryOpName } from './ops-table.js';
import { namedElementwiseOps } from './named-ops.js';
import { binaryOnCpu, unaryOnCpu, type StridedView } from './elementwise.cpu.js';
import { binaryOnWasm, unaryOnWasm } from './elementwise.wasm.js';
import { binaryOnWebgpu, unaryOnWebgpu } from './elementwise.webgpu.js';

function checkRank(op: string, shape: Shape): void {
  if (shape.length > MAX_RANK) throw new SaddleError(op, `rank ${shape.length} exceeds the maximum of ${MAX_RANK}`);
}

function checkFloat(op: string, floatOnly: boolean, t: Tensor): void {
  if (floatOnly && t.dtype !== 'f32' && t.dtype !== 'f64') {
    throw new SaddleError(op, `dtype ${t.dtype} is not supported; expected f32 or f64`);
  }
}

/** A unary op on each device: `x` (any layout) into the dense `out`. */
const UNARY: DeviceTable<(name: UnaryOpName, x: Tensor, out: Tensor) => void> = {
  cpu: unaryOnCpu,
  wasm: unaryOnWasm,
  webgpu: unaryOnWebgpu,
};

/** A binary op on each device: `a` and `b` read as the output's shape through `ra`, `rb`, into the dense `out`. */
const BINARY: DeviceTable<(name: BinaryOpName, a: Tensor, ra: StridedView, b: Tensor, rb: StridedView, shape: Shape, out: Tensor) => void> = {
  cpu: binaryOnCpu,
  wasm: binaryOnWasm,
  webgpu: binaryOnWebgpu,
};

/** Applies a unary op elementwise; the result is a new dense tensor. */
export function unary(name: UnaryOpName, x: Tensor): Tensor {
  const op = UNARY_OPS[name];
  const device = sameDevice(name, x);
  checkFloat(name, op.floatOnly, x);
  checkRank(name, x.shape);
  const out = Tensor.empty(x.shape, x.dtype, device);
  UNARY[device.kind](name, x, out);
  return out;
}

/** Applies a binary op with NumPy broadcasting. A number operand takes the tensor's dtype. */
export function binary(name: BinaryOpName, a: Tensor | number, b: Tensor | number): Tensor {
  const op = BINARY_OPS[name];
  if (typeof a === 'number' && typeof b === 'number') {
    throw new SaddleError(name, 'both operands are numbers; expected at least one tensor');
  }
  const ta = typeof a === 'number' ? scalarLike(a, b as Tensor) : a;
  const tb = typeof b === 'number' ? scalarLike(b, ta) : b;
  try {
    const device = sameDevice(name, ta, tb);
    sameDType(name, ta, tb);
    checkFloat(name, op.floatOnly, ta);
    const shape = broadcastShapes(name, ta.shape, tb.shape);
    checkRank(name, shape);
    const out = Tensor.empty(shape, ta.dtype, device);
    BINARY[device.kind](name, ta, readAs(ta, shape), tb, readAs(tb, shape), shape, out);
    return out;
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}

function scalarLike(value: number, like: Tensor): Tensor {
  return fromArray([value], [], { dtype: like.dtype, device: like.device });
}

// The named ops, as users call them: one for each op of the kernel tables (named-ops.ts).
export const {
  /** Elementwise −x. */
  neg,
  /** Elementwise |x|. */
  abs,
  /** Elementwise sign: −1, 0 or 1. */
  sign,
  /** Elementwise x². */
  square,
  /** Elementwise eˣ. */
  exp,
  /** Elementwise natural logarithm. */
  log,
  /** Elementwise square root. */
  sqrt,
  /** Elementwise 1 / x. */
  reciprocal,
  /** Elementwise max(x, 0). */
  relu,
  /** Elementwise Heaviside step: 1 where x > 0, else 0 (the derivative of relu). */
  step,
  /** Elementwise logistic sigmoid 1 / (1 + e⁻ˣ). */
  sigmoid,
  /** Elementwise hyperbolic tangent. */
  tanh,
  /** Elementwise log(1 + eˣ), computed without overflow. */
  softplus,
  /** 1 where x is 0, else 0 (NaN counts as true). */
  logicalNot,
  /** A dense copy (the materialization of a view). */
  contiguous,
  /** Elementwise a + b, with NumPy broadcasting (either side may be a number). */
  add,
  /** Elementwise a − b, with NumPy broadcasting (either side may be a number). */
  sub,
  /** Elementwise a · b, with NumPy broadcasting (either side may be a number). */
  mul,
  /** Elementwise a / b, with NumPy broadcasting (either side may be a number). */
  div,
  /** Elementwise max(a, b), with NumPy broadcasting (either side may be a number). */
  maximum,
  /** Elementwise min(a, b), with NumPy broadcasting (either side may be a number). */
  minimum,
  /** Elementwise a raised to the power b, with NumPy broadcasting (either side may be a number). */
  pow,
  /** Elementwise 1 where a > b, else 0, with NumPy broadcasting (either side may be a number). */
  greater,
  /** Elementwise 1 where a ≥ b, else 0, with NumPy broadcasting (either side may be a number). */
  greaterEqual,
  /** Elementwise 1 where a == b, else 0, with NumPy broadcasting (either side may be a number). */
  equal,
  /** Elementwise 1 where a ≠ b (or either is NaN), else 0, with NumPy broadcasting. */
  notEqual,
  /** Elementwise 1 where a < b, else 0, with NumPy broadcasting (either side may be a number). */
  less,
  /** Elementwise 1 where a ≤ b, else 0, with NumPy broadcasting (either side may be a number). */
  lessEqual,
  /** Masks (nonzero is true, NaN included) combined: 1 or 0 in the operands' dtype. */
  logicalAnd,
  /** 1 where a or b is nonzero (NaN counts as true), else 0, with NumPy broadcasting. */
  logicalOr,
} = namedElementwiseOps(unary, binary);

/** Makes `x` dense (offset 0, row-major) without a copy when it already is. */
export function dense(x: Tensor): Tensor {
  return x.isDense ? x : contiguous(x);
}
