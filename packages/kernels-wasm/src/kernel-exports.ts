// GENERATED FILE: do not edit. Written by packages/kernels-wasm/scripts/build-wasm.mjs (with
// scripts/kernel-exports.mjs) from the AssemblyScript compiler's typings (`asc --bindings raw`)
// of the builds of assembly/index.ts: kernels, kernels-single, kernels-relaxed, kernels-relaxed-single.
// Rebuilding the module rewrites it: `pnpm --filter @saddle/kernels-wasm build:wasm` (also run by
// `pnpm install` and `pnpm build`). test/tensor/wasm-kernel-exports.test.ts checks it against the
// compiled modules (every export's name and arity, in every build); .ci/run fails when the
// committed copy differs from what the build wrote.

/**
 * Every kernel the module exports (an exported function whose last two parameters are `tid`,
 * `nthreads`: the contract in the package README), by name: the arguments a launcher passes to
 * `WasmDevice.run`, in order, as a tuple labelled with the AssemblyScript parameter names. The
 * trailing `tid, nthreads` are not in it: the pool appends them. Every argument is a JavaScript
 * number (an i32, u32 or f32 value, a byte address for `usize`, 0 or 1 for `bool`).
 */
export interface WasmKernels {
  /** `assembly/elementwise/elementwise.ts`: (op: i32, n: i32, x: usize, out: usize, rank: i32, dims: usize, tid, nthreads). */
  unaryF32: readonly [op: number, n: number, x: number, out: number, rank: number, dims: number];
  /** `assembly/elementwise/elementwise.ts`: (op: i32, n: i32, x: usize, out: usize, rank: i32, dims: usize, tid, nthreads). */
  unaryI32: readonly [op: number, n: number, x: number, out: number, rank: number, dims: number];
  /** `assembly/elementwise/elementwise.ts`: (op: i32, n: i32, x: usize, out: usize, rank: i32, dims: usize, tid, nthreads). */
  unaryU32: readonly [op: number, n: number, x: number, out: number, rank: number, dims: number];
  /** `assembly/elementwise/elementwise.ts`: (op: i32, n: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid, nthreads). */
  binaryF32: readonly [op: number, n: number, a: number, b: number, out: number, rank: number, dims: number];
  /** `assembly/elementwise/elementwise.ts`: (op: i32, n: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid, nthreads). */
  binaryI32: readonly [op: number, n: number, a: number, b: number, out: number, rank: number, dims: number];
  /** `assembly/elementwise/elementwise.ts`: (op: i32, n: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid, nthreads). */
  binaryU32: readonly [op: number, n: number, a: number, b: number, out: number, rank: number, dims: number];
  /** `assembly/shape/shape.ts`: (n: i32, src: usize, dst: usize, rank: i32, dims: usize, transposed: i32, tid, nthreads). */
  copyStrided: readonly [n: number, src: number, dst: number, rank: number, dims: number, transposed: number];
  /** `assembly/reduce/reduce.ts`: (m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, out: usize, scale: f32, keptRank: i32, redRank: i32, dims: usize, tid, nthreads). */
  reduceSumF32: readonly [m: number, n: number, chunkLen: number, chunks: number, x: number, out: number, scale: number, keptRank: number, redRank: number, dims: number];
  /** `assembly/reduce/reduce.ts`: (m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, out: usize, scale: f32, keptRank: i32, redRank: i32, dims: usize, tid, nthreads). */
  reduceSumI32: readonly [m: number, n: number, chunkLen: number, chunks: number, x: number, out: number, scale: number, keptRank: number, redRank: number, dims: number];
  /** `assembly/reduce/reduce.ts`: (m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, out: usize, scale: f32, keptRank: i32, redRank: i32, dims: usize, tid, nthreads). */
  reduceSumU32: readonly [m: number, n: number, chunkLen: number, chunks: number, x: number, out: number, scale: number, keptRank: number, redRank: number, dims: number];
  /** `assembly/reduce/reduce.ts`: (m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, idxIn: usize, outV: usize, outI: usize, keptRank: i32, redRank: i32, dims: usize, tid, nthreads). */
  reduceMaxF32: readonly [m: number, n: number, chunkLen: number, chunks: number, x: number, idxIn: number, outV: number, outI: number, keptRank: number, redRank: number, dims: number];
  /** `assembly/reduce/reduce.ts`: (m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, idxIn: usize, outV: usize, outI: usize, keptRank: i32, redRank: i32, dims: usize, tid, nthreads). */
  reduceMaxI32: readonly [m: number, n: number, chunkLen: number, chunks: number, x: number, idxIn: number, outV: number, outI: number, keptRank: number, redRank: number, dims: number];
  /** `assembly/reduce/reduce.ts`: (m: i32, n: i32, chunkLen: i32, chunks: i32, x: usize, idxIn: usize, outV: usize, outI: usize, keptRank: i32, redRank: i32, dims: usize, tid, nthreads). */
  reduceMaxU32: readonly [m: number, n: number, chunkLen: number, chunks: number, x: number, idxIn: number, outV: number, outI: number, keptRank: number, redRank: number, dims: number];
  /** `assembly/random/random.ts`: (kind: i32, n: i32, out: usize, k0: u32, k1: u32, offLo: u32, offHi: u32, a: f64, b: f64, tid, nthreads). */
  randomDraw: readonly [kind: number, n: number, out: number, k0: number, k1: number, offLo: number, offHi: number, a: number, b: number];
  /** `assembly/random/random.ts`: (blocks: i32, counters: usize, out: usize, k0: u32, k1: u32, tid, nthreads). */
  philoxBlocks: readonly [blocks: number, counters: number, out: number, k0: number, k1: number];
  /** `assembly/dropout/dropout.ts`: (n: i32, mask: usize, k0: u32, k1: u32, offLo: u32, offHi: u32, threshold: u32, scale: f32, tid, nthreads). */
  dropoutMask: readonly [n: number, mask: number, k0: number, k1: number, offLo: number, offHi: number, threshold: number, scale: number];
  /** `assembly/dropout/dropout.ts`: (n: i32, x: usize, out: usize, mask: usize, k0: u32, k1: u32, offLo: u32, offHi: u32, threshold: u32, scale: f32, rank: i32, dims: usize, tid, nthreads). */
  dropoutApply: readonly [n: number, x: number, out: number, mask: number, k0: number, k1: number, offLo: number, offHi: number, threshold: number, scale: number, rank: number, dims: number];
  /** `assembly/maxout/maxout.ts`: (rows: i32, units: i32, pieces: i32, x: usize, rs: i32, cs: i32, out: usize, argmax: usize, tid, nthreads). */
  maxoutForward: readonly [rows: number, units: number, pieces: number, x: number, rs: number, cs: number, out: number, argmax: number];
  /** `assembly/maxout/maxout.ts`: (rows: i32, units: i32, pieces: i32, x: usize, rs: i32, cs: i32, out: usize, argmax: usize, mask: usize, k0: u32, k1: u32, offLo: u32, offHi: u32, threshold: u32, scale: f32, tid, nthreads). */
  maxoutDropout: readonly [rows: number, units: number, pieces: number, x: number, rs: number, cs: number, out: number, argmax: number, mask: number, k0: number, k1: number, offLo: number, offHi: number, threshold: number, scale: number];
  /** `assembly/maxout/maxout.ts`: (rows: i32, units: i32, pieces: i32, dy: usize, dyRs: i32, dyCs: i32, argmax: usize, aRs: i32, aCs: i32, mask: usize, mRs: i32, mCs: i32, dx: usize, tid, nthreads). */
  maxoutBackward: readonly [rows: number, units: number, pieces: number, dy: number, dyRs: number, dyCs: number, argmax: number, aRs: number, aCs: number, mask: number, mRs: number, mCs: number, dx: number];
  /** `assembly/maxout/maxout.ts`: (rows: i32, units: i32, pieces: i32, dy: usize, dyRs: i32, dyCs: i32, argmax: usize, aRs: i32, aCs: i32, mask: usize, mRs: i32, mCs: i32, x: usize, xRs: i32, xCs: i32, dx: usize, tid, nthreads). */
  maxoutBackwardTies: readonly [rows: number, units: number, pieces: number, dy: number, dyRs: number, dyCs: number, argmax: number, aRs: number, aCs: number, mask: number, mRs: number, mCs: number, x: number, xRs: number, xCs: number, dx: number];
  /** `assembly/matmul/matmul.ts`: (a: usize, b: usize, transA: bool, transB: bool, c: usize, bias: usize, m: i32, n: i32, k: i32, act: i32, mc: i32, nc: i32, scratch: usize, states: usize, packA: usize, packB: usize, tid, nthreads). */
  matmulF32: readonly [a: number, b: number, transA: number, transB: number, c: number, bias: number, m: number, n: number, k: number, act: number, mc: number, nc: number, scratch: number, states: number, packA: number, packB: number];
  /** `assembly/probe/peak.ts`: (iters: i32, out: usize, tid, nthreads). */
  peakMulAddF32: readonly [iters: number, out: number];
  /** `assembly/probe/copy.ts`: (src: usize, dst: usize, bytes: i32, tid, nthreads). */
  probeCopyBandwidth: readonly [src: number, dst: number, bytes: number];
  /** `assembly/ladder/ladder.ts`: (a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tid, nthreads). */
  ladderScalar: readonly [a: number, b: number, c: number, m: number, n: number, k: number];
  /** `assembly/ladder/ladder.ts`: (a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tid, nthreads). */
  ladderF32x4: readonly [a: number, b: number, c: number, m: number, n: number, k: number];
  /** `assembly/ladder/ladder.ts`: (a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tid, nthreads). */
  ladderTile4x8: readonly [a: number, b: number, c: number, m: number, n: number, k: number];
  /** `assembly/ladder/ladder.ts`: (a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, pack: usize, tid, nthreads). */
  ladderPacked: readonly [a: number, b: number, c: number, m: number, n: number, k: number, pack: number];
  /** `assembly/bce/bce.ts`: (n: i32, z: usize, t: usize, tValue: f32, partial: usize, tid, nthreads). */
  bceLossPartials: readonly [n: number, z: number, t: number, tValue: number, partial: number];
  /** `assembly/bce/bce.ts`: (n: i32, z: usize, t: usize, tValue: f32, c: f32, out: usize, tid, nthreads). */
  bceGradient: readonly [n: number, z: number, t: number, tValue: number, c: number, out: number];
  /** `assembly/optim/optim.ts`: (n: i32, p: usize, g: usize, v: usize, lr: f64, momentum: f64, wd: f64, tid, nthreads). */
  sgdMomentum: readonly [n: number, p: number, g: number, v: number, lr: number, momentum: number, wd: number];
  /** `assembly/optim/optim.ts`: (count: i32, table: usize, lr: f64, momentum: f64, wd: f64, tid, nthreads). */
  sgdMomentumMulti: readonly [count: number, table: number, lr: number, momentum: number, wd: number];
  /** `assembly/optim/adam.ts`: (n: i32, p: usize, g: usize, m: usize, v: usize, beta1: f64, beta2: f64, oneMinusBeta1: f64, oneMinusBeta2: f64, eps: f64, l2: f64, decay: f64, stepSize: f64, sqrtBc2: f64, tid, nthreads). */
  adam: readonly [n: number, p: number, g: number, m: number, v: number, beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number, eps: number, l2: number, decay: number, stepSize: number, sqrtBc2: number];
  /** `assembly/optim/ema.ts`: (n: i32, t: usize, s: usize, decay: f64, oneMinusDecay: f64, tid, nthreads). */
  emaUpdate: readonly [n: number, t: number, s: number, decay: number, oneMinusDecay: number];
  /** `assembly/parametric/parametric.ts`: (op: i32, n: i32, x: usize, out: usize, a: f32, b: f32, tid, nthreads). */
  parametricF32: readonly [op: number, n: number, x: number, out: number, a: number, b: number];
  /** `assembly/softmax/softmax.ts`: (log: i32, rows: i32, len: i32, inner: i32, x: usize, out: usize, tid, nthreads). */
  softmaxF32: readonly [log: number, rows: number, len: number, inner: number, x: number, out: number];
  /** `assembly/cross-entropy/cross-entropy.ts`: (rows: i32, len: i32, x: usize, labels: usize, perRow: usize, tid, nthreads). */
  crossEntropyRowsF32: readonly [rows: number, len: number, x: number, labels: number, perRow: number];
  /** `assembly/cross-entropy/cross-entropy.ts`: (rows: i32, len: i32, x: usize, labels: usize, scale: usize, k: f32, out: usize, tid, nthreads). */
  crossEntropyGradF32: readonly [rows: number, len: number, x: number, labels: number, scale: number, k: number, out: number];
  /** `assembly/where/where.ts`: (condFloat: i32, n: i32, c: usize, a: usize, b: usize, out: usize, rank: i32, dims: usize, tid, nthreads). */
  whereSelect: readonly [condFloat: number, n: number, c: number, a: number, b: number, out: number, rank: number, dims: number];
  /** `assembly/gather/gather.ts`: (outer: i32, len: i32, inner: i32, m: i32, x: usize, indices: usize, out: usize, tid, nthreads). */
  gather32: readonly [outer: number, len: number, inner: number, m: number, x: number, indices: number, out: number];
  /** `assembly/gather/gather.ts`: (outer: i32, len: i32, inner: i32, m: i32, src: usize, indices: usize, out: usize, tid, nthreads). */
  scatterAddF32: readonly [outer: number, len: number, inner: number, m: number, src: number, indices: number, out: number];
  /** `assembly/bmm/bmm.ts`: (m: i32, k: i32, n: i32, batches: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize, dims: usize, tid, nthreads). */
  bmmF32: readonly [m: number, k: number, n: number, batches: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number, out: number, dims: number];
  /** `assembly/cast/cast.ts`: (code: i32, n: i32, x: usize, out: usize, tid, nthreads). */
  castKernel: readonly [code: number, n: number, x: number, out: number];
  /** `assembly/pool/pool.ts`: (geom: usize, x: usize, values: usize, indices: usize, tid, nthreads). */
  maxPool2dF32: readonly [geom: number, x: number, values: number, indices: number];
  /** `assembly/pool/pool.ts`: (geom: usize, x: usize, out: usize, tid, nthreads). */
  avgPool2dF32: readonly [geom: number, x: number, out: number];
  /** `assembly/pool/pool.ts`: (geom: usize, dy: usize, indices: usize, dx: usize, tid, nthreads). */
  maxPool2dBackwardF32: readonly [geom: number, dy: number, indices: number, dx: number];
  /** `assembly/pool/pool.ts`: (geom: usize, dy: usize, dx: usize, tid, nthreads). */
  avgPool2dBackwardF32: readonly [geom: number, dy: number, dx: number];
  /** `assembly/conv/conv.ts`: (x: usize, w: usize, bias: usize, out: usize, g: i32, dims: usize, scratch: usize, tid, nthreads). */
  conv2dF32: readonly [x: number, w: number, bias: number, out: number, g: number, dims: number, scratch: number];
  /** `assembly/conv/conv.ts`: (col: usize, out: usize, bias: usize, g: i32, dims: usize, tid, nthreads). */
  col2imF32: readonly [col: number, out: number, bias: number, g: number, dims: number];
}

/** The name of a kernel export (see {@link WasmKernels}). */
export type WasmKernelName = keyof WasmKernels;

/** The arguments of kernel `K` as `WasmDevice.run` takes them (before the `tid, nthreads` the pool appends). */
export type WasmKernelArgs<K extends WasmKernelName> = WasmKernels[K];

/** Each kernel's number of arguments (its wasm arity is this plus 2: tid, nthreads), for checks against a compiled module. */
export const WASM_KERNEL_ARITY = {
  unaryF32: 6,
  unaryI32: 6,
  unaryU32: 6,
  binaryF32: 7,
  binaryI32: 7,
  binaryU32: 7,
  copyStrided: 6,
  reduceSumF32: 10,
  reduceSumI32: 10,
  reduceSumU32: 10,
  reduceMaxF32: 11,
  reduceMaxI32: 11,
  reduceMaxU32: 11,
  randomDraw: 9,
  philoxBlocks: 5,
  dropoutMask: 8,
  dropoutApply: 12,
  maxoutForward: 8,
  maxoutDropout: 15,
  maxoutBackward: 13,
  maxoutBackwardTies: 16,
  matmulF32: 16,
  peakMulAddF32: 2,
  probeCopyBandwidth: 3,
  ladderScalar: 6,
  ladderF32x4: 6,
  ladderTile4x8: 6,
  ladderPacked: 7,
  bceLossPartials: 5,
  bceGradient: 6,
  sgdMomentum: 7,
  sgdMomentumMulti: 5,
  adam: 14,
  emaUpdate: 5,
  parametricF32: 6,
  softmaxF32: 6,
  crossEntropyRowsF32: 5,
  crossEntropyGradF32: 7,
  whereSelect: 8,
  gather32: 7,
  scatterAddF32: 7,
  bmmF32: 12,
  castKernel: 4,
  maxPool2dF32: 4,
  avgPool2dF32: 3,
  maxPool2dBackwardF32: 4,
  avgPool2dBackwardF32: 3,
  conv2dF32: 7,
  col2imF32: 5,
} as const satisfies { readonly [K in WasmKernelName]: WasmKernels[K]['length'] };

/** The output names of the builds of the module (build/<name>.wasm). */
export type KernelModuleName = 'kernels' | 'kernels-single' | 'kernels-relaxed' | 'kernels-relaxed-single';

/** Kernels that only some builds export, with those builds (every other kernel is in every build). */
export const WASM_KERNELS_ONLY_IN: { readonly [K in WasmKernelName]?: readonly KernelModuleName[] } = {};

/**
 * Exported functions that are not kernels (no `tid, nthreads`), by arity: `heapBase`, called once
 * by the device, and helpers that assembly/index.ts's `export *` re-exports. Never run by the pool.
 */
export const WASM_NON_KERNEL_ARITY = {
  heapBase: 0, // assembly/index.ts: (): usize
  dropoutBlocks: 16, // assembly/dropout/dropout.ts: (firstBlock: i32, endBlock: i32, n: i32, k0: u32, k1: u32, offLo: u32, offHi: u32, threshold: u32, scale: f32, x: usize, out: usize, mask: usize, rank: i32, dims: usize, withInput: bool, dense: bool): void
  rowMax: 3, // assembly/softmax/softmax.ts: (xr: usize, len: i32, stride: usize): f32
  rowSumExp: 4, // assembly/softmax/softmax.ts: (xr: usize, len: i32, stride: usize, m: f32): f32
  prob: 3, // assembly/softmax/softmax.ts: (x: f32, m: f32, inv: f32): f32
} as const;

/** The constants (exported globals) of the module, read with `WasmDevice.constant`; their values may differ by build. */
export const WASM_CONSTANTS = [
  'KERNELS_RELAXED_SIMD', // i32
  'CONTIGUOUS_PIECE', // i32
  'STRIDED_PIECE', // i32
  'MATMUL_MR', // i32
  'MATMUL_NR', // i32
  'MATMUL_KC', // i32
  'MATMUL_SCRATCH_HEAD', // i32
  'MATMUL_EDGE_BYTES', // i32
  'PEAK_FLOPS_PER_ITER', // i32
  'BCE_PIECE', // i32
] as const;

/** The name of a constant the module exports (see {@link WASM_CONSTANTS}). */
export type WasmConstantName = (typeof WASM_CONSTANTS)[number];
