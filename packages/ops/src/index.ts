/**
 * The ops: each checks its inputs and runs its WGSL kernel (WebGPU), its WebAssembly SIMD kernel
 * (wasm) or its CPU twin. No gradients here: `@saddle/autograd` re-exports them with gradient rules.
 *
 * @module @saddle/ops
 */
// Each kernel lives in its own folder: <name>.wgsl.ts (the WGSL source and its header comment),
// <name>.cpu.ts (the plain-TS reference twin) and <name>.ts (the op: checks, then CPU or WebGPU).
export * from './elementwise/elementwise.js';
export * from './elementwise/special.js';
export { UNARY_OPS, BINARY_OPS, type UnaryOpName, type BinaryOpName, type UnaryOp, type BinaryOp } from './elementwise/ops-table.js';
export { namedElementwiseOps, type NamedElementwiseOps, type UnaryAliasName } from './elementwise/named-ops.js';
export { unaryCpu, binaryCpu } from './elementwise/elementwise.cpu.js';
export * from './matmul/index.js';
export * from './ladder/index.js';
export * from './probe/index.js';
export * from './reduce/index.js';
export * from './maxout/index.js';
export * from './bce/index.js';
export * from './random/index.js';
export * from './dropout/index.js';
export * from './optim/index.js';
export * from './shape/index.js';
export * from './softmax/index.js';
export * from './cross-entropy/index.js';
export * from './parametric/index.js';
export * from './where/index.js';
export * from './gather/index.js';
export * from './bmm/index.js';
export * from './cast/index.js';
export * from './pool/index.js';
export * from './conv/index.js';
export { grid1d, flatIndexWgsl, sameDevice, sameDType, expectRank, wgslType, wasmType, asGpu, asWasm, FLAT_WORKGROUP } from './shared/launch.js';
export { MAX_RANK, stridedIndex, readAs, mergeDimsOf, wasmDims } from './shared/strided.js';
export { type Activation, ACTIVATIONS } from './shared/activation.js';
/** The activations' math in TypeScript (the CPU twins' functions): relu, sigmoid, softplus, tanh, bceTerm, activate. */
export * as activationMath from './shared/activation.js';
export { ACTIVATION_WGSL, ACTIVATION_VEC4_WGSL, IS_NAN_WGSL } from './shared/activation.wgsl.js';
export * as wgslSources from './sources.js';
// useDevice / getDevice with the workload 'auto' times to choose between wasm and a software
// WebGPU adapter (passed to @saddle/tensor's, which has no ops to time).
export { matmulProbe, matmulAutoProbe, useDevice, getDevice } from './auto-device.js';
