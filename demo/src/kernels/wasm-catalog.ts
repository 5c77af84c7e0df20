/**
 * What the kernel reader lists for the wasm device: each AssemblyScript kernel of kernels-wasm
 * (assembly/<op>/<name>.ts, imported as text: its teaching header and its source), and the peer
 * table entry (./peers.ts) whose cases time it against tfjs-wasm. A visitor without WebGPU reads and
 * times these. The names are the WGSL catalog's where the two devices share a kernel.
 */
import { teachingHeader } from './header.js';

/** The AssemblyScript sources as text. */
const SOURCES = import.meta.glob<string>('../../../packages/kernels-wasm/assembly/*/*.ts', { query: '?raw', import: 'default', eager: true });

export interface WasmKernelEntry {
  /** Folder and file under kernels-wasm/assembly/. */
  file: string;
  /** A line about what the file holds. */
  about: string;
  /** The peer table's key whose cases time it (on the wasm device, against tfjs-wasm), or why there is none. */
  peer: string | { none: string };
}

export const WASM_KERNELS: Record<string, WasmKernelEntry> = {
  matmul: { file: 'matmul/matmul.ts', about: 'packing, 4x8 register tiles of f32x4, K blocks, macro tiles from an atomic counter', peer: 'matmul' },
  maxout: { file: 'maxout/maxout.ts', about: 'forward with argmax, backward scatter', peer: 'maxout' },
  'maxout + dropout': { file: 'maxout/maxout.ts', about: 'maxout and dropout fused, the mask from the Philox stream', peer: 'maxout + dropout' },
  'sigmoid cross-entropy': { file: 'bce/bce.ts', about: 'loss partial sums and the gradient', peer: 'sigmoid cross-entropy' },
  reduce: { file: 'reduce/reduce.ts', about: 'sum, max, argmax along an axis', peer: 'reduce' },
  elementwise: { file: 'elementwise/elementwise.ts', about: 'unary and binary ops with broadcasting (the polynomials of shared/math.ts)', peer: 'elementwise' },
  'clamp, leakyRelu': { file: 'parametric/parametric.ts', about: 'elementwise ops with scalar parameters', peer: 'clamp, leakyRelu' },
  softmax: { file: 'softmax/softmax.ts', about: 'softmax and logSoftmax along one axis', peer: 'softmax' },
  'cross-entropy': { file: 'cross-entropy/cross-entropy.ts', about: 'softmax cross-entropy against integer labels, fused', peer: 'cross-entropy' },
  bmm: { file: 'bmm/bmm.ts', about: 'batched matrix product', peer: 'bmm' },
  'gather, scatterAdd': { file: 'gather/gather.ts', about: 'gather along an axis and its gradient', peer: 'gather, scatterAdd' },
  where: { file: 'where/where.ts', about: 'select with broadcasting', peer: 'where' },
  'SGD with momentum': { file: 'optim/optim.ts', about: 'one in-place update per tensor', peer: 'SGD with momentum' },
  'Adam, AdamW': {
    file: 'optim/adam.ts',
    about: 'one fused in-place Adam step',
    peer: { none: 'tfjs has no fused Adam step to time it against (tf.train.adam updates variables through its own ops)' },
  },
  random: { file: 'random/random.ts', about: 'Philox 4x32-10 uniform and normal draws', peer: 'random' },
  dropout: { file: 'dropout/dropout.ts', about: 'the mask and out = x · mask in one pass', peer: 'dropout' },
  'strided copy': { file: 'shape/shape.ts', about: 'the strided copy behind concat and contiguous', peer: 'strided copy' },
  cast: { file: 'cast/cast.ts', about: 'f32, i32, u32 conversions', peer: { none: 'a conversion: tfjs casts the same way, nothing to learn from the ratio' } },
  'matmul ladder': {
    file: 'ladder/ladder.ts',
    about: "the ladder's first steps (scalar, f32x4, 4x8 tile, packed): time them in the ladder below",
    peer: { none: 'the ladder is timed step by step in the ladder table below, against the measured peak' },
  },
  'peak probe': {
    file: 'probe/peak.ts',
    about: 'f32x4 mul + add chains: the peak of the roofline',
    peer: { none: 'a probe: its rate is the peak every other kernel is measured against' },
  },
  'copy probe': {
    file: 'probe/copy.ts',
    about: 'v128 loads and stores: the bandwidth of the roofline',
    peer: { none: 'a probe: its rate is the bandwidth every other kernel is measured against' },
  },
};

/** The file's text ('' when missing). */
export function wasmSource(file: string): string {
  return Object.entries(SOURCES).find(([path]) => path.endsWith(`/${file}`))?.[1] ?? '';
}

/** The file's teaching header (the comment marked `@kernel-header`). */
export function wasmHeader(file: string): string {
  return teachingHeader(wasmSource(file)) ?? '(no header)';
}
