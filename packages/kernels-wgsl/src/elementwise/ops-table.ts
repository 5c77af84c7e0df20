/**
 * The elementwise ops, each as a WGSL expression and its CPU twin. `x`, `y` are the operands.
 * Sigmoid, softplus and log-sigmoid are written so that exp only ever sees a non-positive
 * argument: exact for logits of +-100, no overflow to inf.
 */
export interface UnaryOp {
  wgsl: string;
  cpu: (x: number) => number;
  /** Float-only ops refuse integer dtypes. */
  floatOnly: boolean;
}

export interface BinaryOp {
  wgsl: string;
  cpu: (x: number, y: number) => number;
  floatOnly: boolean;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export const UNARY_OPS = {
  copy: { wgsl: 'x', cpu: (x) => x, floatOnly: false },
  neg: { wgsl: '-x', cpu: (x) => -x, floatOnly: false },
  abs: { wgsl: 'abs(x)', cpu: Math.abs, floatOnly: false },
  sign: { wgsl: 'sign(x)', cpu: Math.sign, floatOnly: false },
  square: { wgsl: 'x * x', cpu: (x) => x * x, floatOnly: false },
  exp: { wgsl: 'exp(x)', cpu: Math.exp, floatOnly: true },
  log: { wgsl: 'log(x)', cpu: Math.log, floatOnly: true },
  sqrt: { wgsl: 'sqrt(x)', cpu: Math.sqrt, floatOnly: true },
  reciprocal: { wgsl: '1.0 / x', cpu: (x) => 1 / x, floatOnly: true },
  relu: { wgsl: 'max(x, 0.0)', cpu: (x) => (x > 0 ? x : 0), floatOnly: true },
  /** 1 where x > 0, else 0: the derivative of relu. */
  step: { wgsl: 'select(0.0, 1.0, x > 0.0)', cpu: (x) => (x > 0 ? 1 : 0), floatOnly: true },
  sigmoid: {
    wgsl: 'select(exp(x) / (1.0 + exp(x)), 1.0 / (1.0 + exp(-x)), x >= 0.0)',
    cpu: sigmoid,
    floatOnly: true,
  },
  tanh: { wgsl: 'tanh(clamp(x, -15.0, 15.0))', cpu: Math.tanh, floatOnly: true },
  softplus: { wgsl: 'max(x, 0.0) + log(1.0 + exp(-abs(x)))', cpu: softplus, floatOnly: true },
} satisfies Record<string, UnaryOp>;

export const BINARY_OPS = {
  add: { wgsl: 'x + y', cpu: (x, y) => x + y, floatOnly: false },
  sub: { wgsl: 'x - y', cpu: (x, y) => x - y, floatOnly: false },
  mul: { wgsl: 'x * y', cpu: (x, y) => x * y, floatOnly: false },
  div: { wgsl: 'x / y', cpu: (x, y) => x / y, floatOnly: true },
  maximum: { wgsl: 'max(x, y)', cpu: Math.max, floatOnly: false },
  minimum: { wgsl: 'min(x, y)', cpu: Math.min, floatOnly: false },
  pow: { wgsl: 'pow(x, y)', cpu: Math.pow, floatOnly: true },
  /** Comparisons give 1 or 0 in the operands' dtype. */
  greater: { wgsl: 'select(0.0, 1.0, x > y)', cpu: (x, y) => (x > y ? 1 : 0), floatOnly: true },
  greaterEqual: { wgsl: 'select(0.0, 1.0, x >= y)', cpu: (x, y) => (x >= y ? 1 : 0), floatOnly: true },
  equal: { wgsl: 'select(0.0, 1.0, x == y)', cpu: (x, y) => (x === y ? 1 : 0), floatOnly: true },
} satisfies Record<string, BinaryOp>;

export type UnaryOpName = keyof typeof UNARY_OPS;
export type BinaryOpName = keyof typeof BINARY_OPS;

/**
 * The op codes of the wasm elementwise kernels (kernels-wasm/assembly/elementwise/elementwise.ts
 * holds the same table): the `op` argument of unaryF32/I32/U32 and binaryF32/I32/U32.
 */
export const WASM_UNARY_CODES: Record<UnaryOpName, number> = {
  copy: 0, neg: 1, abs: 2, sign: 3, square: 4, exp: 5, log: 6, sqrt: 7, reciprocal: 8,
  relu: 9, step: 10, sigmoid: 11, tanh: 12, softplus: 13,
};

export const WASM_BINARY_CODES: Record<BinaryOpName, number> = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, pow: 6, greater: 7, greaterEqual: 8, equal: 9,
};
