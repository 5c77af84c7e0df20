import { Params, SaddleError, Tensor, broadcastShapes, fromArray, shapesEqual, type Shape } from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice, sameDType, wasmType, wgslType } from '../shared/launch.js';
import { MAX_RANK, readAs, wasmDims } from '../shared/strided.js';
import { wasmCopyStrided } from '../shared/wasm-copy.js';
import { BINARY_OPS, UNARY_OPS, WASM_BINARY_CODES, WASM_UNARY_CODES, type BinaryOpName, type UnaryOpName } from './ops-table.js';
import { binaryCpu, unaryCpu } from './elementwise.cpu.js';
import { binaryWgsl, exprFor, unaryWgsl } from './elementwise.wgsl.js';

function checkRank(op: string, shape: Shape): void {
  if (shape.length > MAX_RANK) throw new SaddleError(op, `rank ${shape.length} exceeds the maximum of ${MAX_RANK}`);
}

function checkFloat(op: string, floatOnly: boolean, t: Tensor): void {
  if (floatOnly && t.dtype !== 'f32' && t.dtype !== 'f64') {
    throw new SaddleError(op, `dtype ${t.dtype} is not supported; expected f32 or f64`);
  }
}

/** Applies a unary op elementwise; the result is a new dense tensor. */
export function unary(name: UnaryOpName, x: Tensor): Tensor {
  const op = UNARY_OPS[name];
  const device = sameDevice(name, x);
  checkFloat(name, op.floatOnly, x);
  checkRank(name, x.shape);
  const out = Tensor.empty(x.shape, x.dtype, device);
  if (device.kind === 'cpu') {
    unaryCpu(op.cpu, x.storage.data!, x.shape, x.strides, x.offset, out.storage.data!);
    return out;
  }
  if (device.kind === 'wasm') {
    const w = asWasm(device);
    if (name === 'copy') {
      // A copy moves words whatever the dtype; the strided-copy kernel also tiles transposes.
      wasmCopyStrided(w, x.shape, x.storage, x.strides, x.offset, out.storage, out.strides, 0);
      return out;
    }
    const { rank, dims } = wasmDims(x.shape, [x.strides]);
    const code = WASM_UNARY_CODES[name];
    if (code === undefined) {
      out.dispose();
      throw new SaddleError(name, `${name} has no wasm kernel yet; expected one of ${Object.keys(WASM_UNARY_CODES).join(', ')} on the wasm device`);
    }
    const args = [code, out.size, w.address(x.storage, x.offset), w.address(out.storage), rank, w.ints(dims)] as const;
    w.run(`unary${wasmType(name, x.dtype)}`, args, out.size);
    return out;
  }
  const type = wgslType(name, x.dtype);
  const dense = x.isDense;
  asGpu(device, name).dispatch({
    label: name,
    code: unaryWgsl(exprFor(op, type), type, dense),
    params: new Params().u32(out.size, x.rank, x.offset, 0).vec4u(x.shape, 2).vec4u(x.strides, 2).finish(),
    buffers: [x.storage, out.storage],
    workgroups: grid1d(out.size),
  });
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
    const ra = readAs(ta, shape);
    const rb = readAs(tb, shape);
    if (device.kind === 'cpu') {
      binaryCpu(op.cpu, ta.storage.data!, ra.strides, ra.offset, tb.storage.data!, rb.strides, rb.offset, shape, out.storage.data!);
      return out;
    }
    if (device.kind === 'wasm') {
      const w = asWasm(device);
      const { rank, dims } = wasmDims(shape, [ra.strides, rb.strides]);
      const args = [WASM_BINARY_CODES[name], out.size, w.address(ta.storage, ra.offset), w.address(tb.storage, rb.offset), w.address(out.storage), rank, w.ints(dims)] as const;
      w.run(`binary${wasmType(name, ta.dtype)}`, args, out.size);
      return out;
    }
    const type = wgslType(name, ta.dtype);
    const dense = ta.isDense && tb.isDense && shapesEqual(ta.shape, shape) && shapesEqual(tb.shape, shape);
    asGpu(device, name).dispatch({
      label: name,
      code: binaryWgsl(exprFor(op, type), type, dense),
      params: new Params()
        .u32(out.size, shape.length, ra.offset, rb.offset)
        .vec4u(shape, 2)
        .vec4u(ra.strides, 2)
        .vec4u(rb.strides, 2)
        .finish(),
      buffers: [ta.storage, tb.storage, out.storage],
      workgroups: grid1d(out.size),
    });
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
