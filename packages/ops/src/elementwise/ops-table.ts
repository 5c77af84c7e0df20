import * as act from '../shared/activation.js';

/**
 * The elementwise ops, each as a WGSL expression and its CPU twin. `x`, `y` are the operands.
 * relu, sigmoid, tanh and softplus call the shared activation math (shared/activation.wgsl.ts and
 * shared/activation.ts), which every other kernel with an activation uses too; see there for their
 * numerics. NaN propagates through every op, as in PyTorch (maximum and minimum test the bits, since
 * WGSL's max and min may drop a NaN operand).
 */
import { SPECIAL_UNARY_OPS } from './special-ops.js';

export type { UnaryOp, BinaryOp } from './op-types.js';
import type { UnaryOp, BinaryOp } from './op-types.js';

const UNARY_TABLE = {
  ...SPECIAL_UNARY_OPS,
  copy: { wgsl: 'x', cpu: (x) => x, floatOnly: false },
  neg: { wgsl: '-x', cpu: (x) => -x, floatOnly: false },
  abs: { wgsl: 'abs(x)', cpu: Math.abs, floatOnly: false },
  sign: { wgsl: 'sign(x)', cpu: Math.sign, floatOnly: false },
  square: { wgsl: 'x * x', cpu: (x) => x * x, floatOnly: false },
  exp: { wgsl: 'exp(x)', cpu: Math.exp, floatOnly: true },
  log: { wgsl: 'log(x)', cpu: Math.log, floatOnly: true },
  sqrt: { wgsl: 'sqrt(x)', cpu: Math.sqrt, floatOnly: true },
  reciprocal: { wgsl: '1.0 / x', cpu: (x) => 1 / x, floatOnly: true },
  relu: { wgsl: 'relu(x)', cpu: act.relu, floatOnly: true },
  /** 1 where x > 0, else 0: the derivative of relu. */
  step: { wgsl: 'select(0.0, 1.0, x > 0.0)', cpu: (x) => (x > 0 ? 1 : 0), floatOnly: true },
  sigmoid: { wgsl: 'sigmoid(x)', cpu: act.sigmoid, floatOnly: true },
  tanh: { wgsl: 'tanhAccurate(x)', cpu: act.tanh, floatOnly: true },
  softplus: { wgsl: 'softplus(x)', cpu: act.softplus, floatOnly: true },
  /** 1 where x is 0, else 0 (a mask's complement; NaN counts as true, as in PyTorch's bool(NaN)). */
  logicalNot: { wgsl: 'select(0.0, 1.0, x == 0.0 && !isNan(x))', wgslInt: 'select(0.0, 1.0, x == 0.0)', cpu: (x) => (x === 0 ? 1 : 0), floatOnly: false },
} satisfies Record<string, UnaryOp>;

/** The unary elementwise ops: for each, its WGSL expression and its CPU twin (`cpu`). */
export const UNARY_OPS: Readonly<Record<keyof typeof UNARY_TABLE, UnaryOp>> = UNARY_TABLE;

const BINARY_TABLE = {
  add: { wgsl: 'x + y', cpu: (x, y) => x + y, floatOnly: false },
  sub: { wgsl: 'x - y', cpu: (x, y) => x - y, floatOnly: false },
  mul: { wgsl: 'x * y', cpu: (x, y) => x * y, floatOnly: false },
  div: { wgsl: 'x / y', cpu: (x, y) => x / y, floatOnly: true },
  maximum: { wgsl: 'select(select(max(x, y), y, isNan(y)), x, isNan(x))', wgslInt: 'max(x, y)', cpu: Math.max, floatOnly: false },
  minimum: { wgsl: 'select(select(min(x, y), y, isNan(y)), x, isNan(x))', wgslInt: 'min(x, y)', cpu: Math.min, floatOnly: false },
  /** JS's Math.pow on every device: a negative base with an integer exponent included (shared/pow.wgsl.ts). */
  pow: { wgsl: 'powReal(x, y)', cpu: Math.pow, floatOnly: true },
  /** Comparisons give 1 or 0 in the operands' dtype (f32, i32 or u32; `wgslInt` has no NaN to test). */
  // The WGSL tests NaN explicitly: a shader compiler may assume floats are never NaN and fold an
  // IEEE comparison with one. NaN compares false except in notEqual, as in IEEE 754 and PyTorch.
  greater: { wgsl: 'select(0.0, 1.0, x > y && !isNan(x) && !isNan(y))', wgslInt: 'select(0.0, 1.0, x > y)', cpu: (x, y) => (x > y ? 1 : 0), floatOnly: false },
  greaterEqual: {
    wgsl: 'select(0.0, 1.0, x >= y && !isNan(x) && !isNan(y))',
    wgslInt: 'select(0.0, 1.0, x >= y)',
    cpu: (x, y) => (x >= y ? 1 : 0),
    floatOnly: false,
  },
  equal: {
    wgsl: 'select(0.0, 1.0, x == y && !isNan(x) && !isNan(y))',
    wgslInt: 'select(0.0, 1.0, x == y)',
    cpu: (x, y) => (x === y ? 1 : 0),
    floatOnly: false,
  },
  less: { wgsl: 'select(0.0, 1.0, x < y && !isNan(x) && !isNan(y))', wgslInt: 'select(0.0, 1.0, x < y)', cpu: (x, y) => (x < y ? 1 : 0), floatOnly: false },
  lessEqual: {
    wgsl: 'select(0.0, 1.0, x <= y && !isNan(x) && !isNan(y))',
    wgslInt: 'select(0.0, 1.0, x <= y)',
    cpu: (x, y) => (x <= y ? 1 : 0),
    floatOnly: false,
  },
  notEqual: {
    wgsl: 'select(0.0, 1.0, x != y || isNan(x) || isNan(y))',
    wgslInt: 'select(0.0, 1.0, x != y)',
    cpu: (x, y) => (x !== y ? 1 : 0),
    floatOnly: false,
  },
  /** Masks: nonzero (NaN included) is true; the result is 1 or 0. */
  logicalAnd: {
    wgsl: 'select(0.0, 1.0, (x != 0.0 || isNan(x)) && (y != 0.0 || isNan(y)))',
    wgslInt: 'select(0.0, 1.0, x != 0.0 && y != 0.0)',
    cpu: (x, y) => (x !== 0 && y !== 0 ? 1 : 0),
    floatOnly: false,
  },
  logicalOr: {
    wgsl: 'select(0.0, 1.0, x != 0.0 || isNan(x) || y != 0.0 || isNan(y))',
    wgslInt: 'select(0.0, 1.0, x != 0.0 || y != 0.0)',
    cpu: (x, y) => (x !== 0 || y !== 0 ? 1 : 0),
    floatOnly: false,
  },
} satisfies Record<string, BinaryOp>;

/** The binary elementwise ops: for each, its WGSL expression and its CPU twin (`cpu`). */
export const BINARY_OPS: Readonly<Record<keyof typeof BINARY_TABLE, BinaryOp>> = BINARY_TABLE;

/** The name of a unary elementwise op (a key of `UNARY_OPS`). */
export type UnaryOpName = keyof typeof UNARY_OPS;
/** The name of a binary elementwise op (a key of `BINARY_OPS`). */
export type BinaryOpName = keyof typeof BINARY_OPS;

/**
 * The op codes of the wasm elementwise kernels (kernels-wasm/assembly/elementwise/elementwise.ts
 * holds the same table): the `op` argument of unaryF32/I32/U32 and binaryF32/I32/U32.
 */
export const WASM_UNARY_CODES: Partial<Record<UnaryOpName, number>> = {
  copy: 0,
  neg: 1,
  abs: 2,
  sign: 3,
  square: 4,
  exp: 5,
  log: 6,
  sqrt: 7,
  reciprocal: 8,
  relu: 9,
  step: 10,
  sigmoid: 11,
  tanh: 12,
  softplus: 13,
  log1p: 14,
  expm1: 15,
  logSigmoid: 16,
  logicalNot: 17,
};

export const WASM_BINARY_CODES: Record<BinaryOpName, number> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  pow: 6,
  greater: 7,
  greaterEqual: 8,
  equal: 9,
  less: 10,
  lessEqual: 11,
  notEqual: 12,
  logicalAnd: 13,
  logicalOr: 14,
};
