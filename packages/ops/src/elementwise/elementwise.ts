import { SaddleError, Tensor, broadcastShapes, fromArray, type Shape } from '@saddle/tensor';
import { sameDevice, sameDType } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { MAX_RANK, readAs } from '../shared/strided.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOpName, type UnaryOpName } from './ops-table.js';
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

// The named ops, as users call them.
/** Elementwise −x. */
export const neg = (x: Tensor) => unary('neg', x);
/** Elementwise |x|. */
export const abs = (x: Tensor) => unary('abs', x);
/** Elementwise sign: −1, 0 or 1. */
export const sign = (x: Tensor) => unary('sign', x);
/** Elementwise x². */
export const square = (x: Tensor) => unary('square', x);
/** Elementwise eˣ. */
export const exp = (x: Tensor) => unary('exp', x);
/** Elementwise natural logarithm. */
export const log = (x: Tensor) => unary('log', x);
/** Elementwise square root. */
export const sqrt = (x: Tensor) => unary('sqrt', x);
/** Elementwise 1 / x. */
export const reciprocal = (x: Tensor) => unary('reciprocal', x);
/** Elementwise max(x, 0). */
export const relu = (x: Tensor) => unary('relu', x);
/** Elementwise Heaviside step: 1 where x > 0, else 0 (the derivative of relu). */
export const step = (x: Tensor) => unary('step', x);
/** Elementwise logistic sigmoid 1 / (1 + e⁻ˣ). */
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
/** Elementwise hyperbolic tangent. */
export const tanh = (x: Tensor) => unary('tanh', x);
/** Elementwise log(1 + eˣ), computed without overflow. */
export const softplus = (x: Tensor) => unary('softplus', x);
/** 1 where x is 0, else 0 (NaN counts as true). */
export const logicalNot = (x: Tensor) => unary('logicalNot', x);
/** A dense copy (the materialization of a view). */
export const contiguous = (x: Tensor) => unary('copy', x);

type Operand = Tensor | number;
/** Elementwise a + b, with NumPy broadcasting (either side may be a number). */
export const add = (a: Operand, b: Operand) => binary('add', a, b);
/** Elementwise a − b, with NumPy broadcasting (either side may be a number). */
export const sub = (a: Operand, b: Operand) => binary('sub', a, b);
/** Elementwise a · b, with NumPy broadcasting (either side may be a number). */
export const mul = (a: Operand, b: Operand) => binary('mul', a, b);
/** Elementwise a / b, with NumPy broadcasting (either side may be a number). */
export const div = (a: Operand, b: Operand) => binary('div', a, b);
/** Elementwise max(a, b), with NumPy broadcasting (either side may be a number). */
export const maximum = (a: Operand, b: Operand) => binary('maximum', a, b);
/** Elementwise min(a, b), with NumPy broadcasting (either side may be a number). */
export const minimum = (a: Operand, b: Operand) => binary('minimum', a, b);
/** Elementwise a raised to the power b, with NumPy broadcasting (either side may be a number). */
export const pow = (a: Operand, b: Operand) => binary('pow', a, b);
/** Elementwise 1 where a > b, else 0, with NumPy broadcasting (either side may be a number). */
export const greater = (a: Operand, b: Operand) => binary('greater', a, b);
/** Elementwise 1 where a ≥ b, else 0, with NumPy broadcasting (either side may be a number). */
export const greaterEqual = (a: Operand, b: Operand) => binary('greaterEqual', a, b);
/** Elementwise 1 where a == b, else 0, with NumPy broadcasting (either side may be a number). */
export const equal = (a: Operand, b: Operand) => binary('equal', a, b);
/** Elementwise 1 where a ≠ b (or either is NaN), else 0, with NumPy broadcasting. */
export const notEqual = (a: Operand, b: Operand) => binary('notEqual', a, b);
/** Elementwise 1 where a < b, else 0, with NumPy broadcasting (either side may be a number). */
export const less = (a: Operand, b: Operand) => binary('less', a, b);
/** Elementwise 1 where a ≤ b, else 0, with NumPy broadcasting (either side may be a number). */
export const lessEqual = (a: Operand, b: Operand) => binary('lessEqual', a, b);
/** Masks (nonzero is true, NaN included) combined: 1 or 0 in the operands' dtype. */
export const logicalAnd = (a: Operand, b: Operand) => binary('logicalAnd', a, b);
/** 1 where a or b is nonzero (NaN counts as true), else 0, with NumPy broadcasting. */
export const logicalOr = (a: Operand, b: Operand) => binary('logicalOr', a, b);

/** Makes `x` dense (offset 0, row-major) without a copy when it already is. */
export function dense(x: Tensor): Tensor {
  return x.isDense ? x : contiguous(x);
}
