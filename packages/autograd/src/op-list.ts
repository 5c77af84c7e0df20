/**
 * The op list (issue 23): every value ops.ts exports, once, with what autograd does with it. The
 * other tables are derived from it or checked against it by the compiler:
 *
 * - the recording wrappers the gradient rules call (`k` in rules/common.ts): every `recorded` op,
 *   installed from ops.ts's exports by index.ts (`installRecordingOps`); an op of @saddle/ops listed
 *   as `recorded` needs a wrapper of the kernel's type, or that call fails to compile;
 * - the gradient rules of the elementwise ops (rules/elementwise.ts): `UNARY_RULES` and the binary
 *   rules are typed over the kernel tables' op names less the `constant` ones, so a new
 *   differentiable kernel in ops-table.ts without a rule fails to compile;
 * - the tensor methods (methods.ts): every op but the `no method` ones; methods.ts checks that
 *   exactly those take no tensor first;
 * - the named elementwise ops (`neg`, `add`, ...) of @saddle/ops and of ops.ts: generated from the
 *   kernel tables (ops-table.ts) by `namedElementwiseOps`, over the kernels there and over the
 *   recording `unary` and `binary` here; each package exports them by name with its doc comment, and
 *   this file fails to compile when one is not exported (`ALIASES_OF_EVERY_KERNEL`).
 *
 * The list must name every export of ops.ts, and nothing else (op-list-checks.ts). So an op
 * added to ops.ts and left out here, or a name here that ops.ts lacks, fails to compile.
 *
 * Kinds:
 * - `recorded`: differentiable; its wrapper records onto the tape with its gradient rule, and the
 *   rules call it (so gradients built with `createGraph` record too). A tensor method.
 * - `recorded, no method`: the same, but its first parameter is not a tensor (an op name, a list).
 * - `constant`: no gradient (piecewise constant, a draw, an in-place update): never recorded; the
 *   rules call the kernel op itself. A tensor method.
 * - `constant, no method`: the same, not a method (creation functions, classes, constants).
 */

/** What autograd does with one export of ops.ts (see the file's comment). */
export type OpKind = 'recorded' | 'recorded, no method' | 'constant' | 'constant, no method';

/** The shape the op list must have: every export of ops.ts, and only those, with its kind. */
export type OpListOf<Names extends PropertyKey> = { readonly [K in Names]: OpKind };

/** Every export of ops.ts, with its kind. */
export const OP_LIST = {
  // elementwise (kernels: @saddle/ops elementwise/ops-table.ts; rules: rules/elementwise.ts)
  unary: 'recorded, no method',
  binary: 'recorded, no method',
  neg: 'recorded',
  abs: 'recorded',
  sign: 'recorded',
  square: 'recorded',
  exp: 'recorded',
  log: 'recorded',
  sqrt: 'recorded',
  reciprocal: 'recorded',
  relu: 'recorded',
  step: 'recorded',
  sigmoid: 'recorded',
  tanh: 'recorded',
  softplus: 'recorded',
  log1p: 'recorded',
  expm1: 'recorded',
  logSigmoid: 'recorded',
  contiguous: 'recorded',
  dense: 'recorded',
  add: 'recorded',
  sub: 'recorded',
  mul: 'recorded',
  div: 'recorded',
  maximum: 'recorded',
  minimum: 'recorded',
  pow: 'recorded',
  greater: 'constant',
  greaterEqual: 'constant',
  equal: 'constant',
  notEqual: 'constant',
  less: 'constant',
  lessEqual: 'constant',
  logicalAnd: 'constant',
  logicalOr: 'constant',
  logicalNot: 'constant',
  // matmul, reductions
  matmul: 'recorded',
  bmm: 'recorded',
  sum: 'recorded',
  mean: 'recorded',
  max: 'recorded',
  maxWithIndices: 'recorded',
  sumTo: 'recorded',
  argmax: 'constant',
  // maxout, dropout, bce (and the gradient kernels the rules call, as ops)
  maxout: 'recorded',
  maxoutDropout: 'recorded',
  maxoutBackward: 'recorded',
  dropout: 'recorded',
  sigmoidBce: 'recorded',
  sigmoidBceGrad: 'recorded',
  // shape
  reshape: 'recorded',
  transpose: 'recorded',
  slice: 'recorded',
  unslice: 'recorded',
  concat: 'recorded, no method',
  broadcastTo: 'recorded',
  expandDims: 'recorded',
  squeeze: 'recorded',
  copyInto: 'constant',
  // softmax, cross-entropy, clamp, leakyRelu, where, gather, cast
  softmax: 'recorded',
  logSoftmax: 'recorded',
  crossEntropy: 'recorded',
  crossEntropyGrad: 'recorded',
  clamp: 'recorded',
  leakyRelu: 'recorded',
  where: 'recorded',
  gather: 'recorded',
  scatterAdd: 'recorded',
  cast: 'recorded',
  // pooling, convolution
  maxPool2d: 'recorded',
  maxPool2dWithIndices: 'recorded',
  maxPool2dBackward: 'recorded',
  avgPool2d: 'recorded',
  avgPool2dBackward: 'recorded',
  conv2d: 'recorded',
  convTranspose2d: 'recorded',
  // random draws, optimizer updates (in place), constants
  rand: 'constant, no method',
  randn: 'constant, no method',
  randint: 'constant, no method',
  randomBits: 'constant, no method',
  dropoutMask: 'constant, no method',
  Generator: 'constant, no method',
  manualSeed: 'constant, no method',
  defaultGenerator: 'constant, no method',
  DEFAULT_SEED: 'constant, no method',
  sgdMomentumUpdate: 'constant',
  sgdMomentumUpdateMany: 'constant, no method',
  sgdMomentumTensorsPerDispatch: 'constant, no method',
  adamUpdate: 'constant',
  emaUpdate: 'constant',
  UNARY_OPS: 'constant, no method',
  BINARY_OPS: 'constant, no method',
  ACTIVATIONS: 'constant, no method',
} as const satisfies OpListOf<string>;

/** The name of an op in the list. */
export type OpName = keyof typeof OP_LIST;

/** The ops of the list of kind K (or of any kind extending K). */
export type OpsOfKind<K extends OpKind> = { [N in OpName]: (typeof OP_LIST)[N] extends K ? N : never }[OpName];

/** The differentiable ops: each has a recording wrapper, which the rules call. */
export type RecordedOpName = OpsOfKind<'recorded' | 'recorded, no method'>;

/** The ops without a gradient (never recorded). */
export type ConstantOpName = OpsOfKind<'constant' | 'constant, no method'>;

/** The exports that are not tensor methods. */
export type NotMethodName = OpsOfKind<'recorded, no method' | 'constant, no method'>;

const names = Object.keys(OP_LIST) as OpName[];

/** The differentiable ops, by name (index.ts installs their recording wrappers in the rules' `k`). */
export const RECORDING_OPS = names.filter((n) => OP_LIST[n].startsWith('recorded')) as RecordedOpName[];

/** The exports of ops.ts that are not tensor methods. */
export const NOT_METHODS = names.filter((n) => OP_LIST[n].endsWith('no method')) as NotMethodName[];
