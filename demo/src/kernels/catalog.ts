/**
 * What the kernel reader lists: each WGSL kernel's file under ops/src/ (for its teaching
 * header) and the WGSL it generates for the case picked (matmul: the tile configuration this adapter
 * gets for the case's shape, or the one picked in the reader's tiling choice). The names are the
 * peer table's keys (./peers.ts); the wasm kernels are listed by ./wasm-catalog.ts.
 */
import { isWebGpu, type Device } from '@saddle/autograd';
import * as K from '@saddle/ops';
import { wgslSources as W } from '@saddle/ops';
import { GAN_SHAPES, shapeLabel, type MatmulShape } from '@saddle/benchmarks';
import { elementwiseOpOf } from './peers.js';
import { teachingHeader } from './header.js';

/** The .wgsl.ts files as text, for their header comments. */
const SOURCES = import.meta.glob<string>('../../../packages/ops/src/*/*.wgsl.ts', { query: '?raw', import: 'default', eager: true });

export interface KernelSource {
  wgsl: string;
  /** A line about the variant shown. */
  config: string;
}

/** The matmul configuration picked in the reader: a tiling of MATMUL_CONFIGS and split-K parts, or the launcher's choice. */
export interface MatmulChoice {
  tiling: keyof typeof K.MATMUL_CONFIGS | 'auto';
  splitK: number | 'auto';
}

export interface KernelEntry {
  /** Folder and file under ops/src/. */
  file: string;
  /** The generated WGSL for a case label (the first case's when none is picked). */
  source(device: Device, caseLabel: string, choice: MatmulChoice): KernelSource;
}

const SQUARE: MatmulShape[] = [256, 512, 1024].map((x) => ({ group: 'square', m: x, k: x, n: x }));
const matmulShapes = new Map([...SQUARE, ...GAN_SHAPES].map((s) => [shapeLabel(s), s] as const));

function matmulSource(device: Device, label: string, choice: MatmulChoice): KernelSource {
  const s = matmulShapes.get(label) ?? SQUARE[0]!;
  const limits = isWebGpu(device)
    ? device.limits
    : ({ maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 } as GPUSupportedLimits);
  const minWorkgroups = isWebGpu(device) ? K.matmulMinWorkgroups(device) : K.MATMUL_MIN_WORKGROUPS.gpu;
  let config: K.MatmulConfig = choice.tiling === 'auto' ? K.chooseMatmulConfig(s.m, s.n, limits, minWorkgroups) : K.MATMUL_CONFIGS[choice.tiling];
  // A forced tiling too large for the workgroup memory runs single-buffered, as matmul does.
  if (K.matmulWorkgroupBytes(config) > limits.maxComputeWorkgroupStorageSize && config.doubleBuffer)
    config = { ...config, name: `${config.name}-single`, doubleBuffer: false };
  const why =
    choice.tiling !== 'auto' ? 'picked above' : isWebGpu(device) ? `chosen for ${s.m}x${s.n} on this adapter` : 'for a hardware GPU (no WebGPU device here)';
  const split =
    choice.splitK === 'auto'
      ? 'split-K as the launcher chooses'
      : choice.splitK === 1
        ? 'no split-K'
        : `split-K: K in ${choice.splitK} parts (partial sums, then the split-K reduce kernel)`;
  return {
    wgsl: K.matmulWgsl({ config, transA: Boolean(s.transA), transB: Boolean(s.transB) }),
    config: `config ${config.name}: ${config.bm}x${config.bn} block, BK ${config.bk}, ${config.tm}x${config.tn} per thread, ${K.matmulThreads(config)} threads, ${K.matmulWorkgroupBytes(config)} B of workgroup memory, double buffer ${config.doubleBuffer}, unroll ${config.unroll} (${why}); ${split}`,
  };
}

function elementwiseSource(_: Device, label: string): KernelSource {
  const op = elementwiseOpOf(label);
  if (op in K.BINARY_OPS)
    return { wgsl: W.binaryWgsl(W.exprFor(K.BINARY_OPS[op as K.BinaryOpName], 'f32'), 'f32', true), config: `binary ${op}, f32, dense operands` };
  if (op === 'copy')
    return {
      wgsl: W.unaryWgsl(W.exprFor(K.UNARY_OPS.copy, 'f32'), 'f32', false),
      config: 'unary copy, f32, strided reads (a transposed view) and dense writes',
    };
  const name = (op in K.UNARY_OPS ? op : 'sigmoid') as K.UnaryOpName;
  return { wgsl: W.unaryWgsl(W.exprFor(K.UNARY_OPS[name], 'f32'), 'f32', true), config: `unary ${name}, f32, dense` };
}

const fixed = (wgsl: string, config: string) => () => ({ wgsl, config });
/** The variant a case label names: `pick(label)` is true for the second one. */
const byLabel = (pick: (label: string) => boolean, a: () => KernelSource, b: () => KernelSource) => (_: Device, label: string) => (pick(label) ? b() : a());

export const KERNELS: Record<string, KernelEntry> = {
  matmul: { file: 'matmul/matmul.wgsl.ts', source: matmulSource },
  'split-K reduce': {
    file: 'matmul/split-k.wgsl.ts',
    source: fixed(W.splitKReduceWgsl(), 'sums the K parts of a split matmul (the partial products come from the matmul kernel)'),
  },
  'matmul (subgroup matrix, f16)': {
    file: 'matmul/matmul-subgroup-matrix.wgsl.ts',
    source: fixed(
      K.subgroupMatrixMatmulWgsl({ transA: false, transB: false, subgroupSize: 32 }),
      'f16 inputs, subgroup size 32 (a hardware GPU with the subgroup-matrix feature)',
    ),
  },
  maxout: { file: 'maxout/maxout.wgsl.ts', source: fixed(W.maxoutWgsl(), 'forward: max over the pieces of each unit') },
  'maxout + dropout': { file: 'maxout/maxout-dropout.wgsl.ts', source: fixed(W.maxoutDropoutWgsl, 'fused maxout and dropout, mask from the Philox stream') },
  'sigmoid cross-entropy': {
    file: 'bce/bce.wgsl.ts',
    source: fixed(W.bceLossWgsl({ targetTensor: true, dense: true }), 'loss, dense logits and a target tensor'),
  },
  reduce: {
    file: 'reduce/reduce.wgsl.ts',
    source: byLabel(
      (l) => l.startsWith('max'),
      () => ({ wgsl: W.reduceWgsl({ kind: 'sum', type: 'f32' }), config: `sum, f32, ${W.REDUCE_WORKGROUP} threads per workgroup` }),
      () => ({ wgsl: W.reduceWgsl({ kind: 'max', type: 'f32' }), config: `max, f32, ${W.REDUCE_WORKGROUP} threads per workgroup` }),
    ),
  },
  elementwise: { file: 'elementwise/elementwise.wgsl.ts', source: elementwiseSource },
  'clamp, leakyRelu': {
    file: 'parametric/parametric.wgsl.ts',
    source: byLabel(
      (l) => l.startsWith('leakyRelu'),
      () => ({ wgsl: W.parametricWgsl('clamp'), config: 'clamp: the bounds in the uniform buffer' }),
      () => ({ wgsl: W.parametricWgsl('leakyRelu'), config: 'leakyRelu: the slope in the uniform buffer' }),
    ),
  },
  softmax: {
    file: 'softmax/softmax.wgsl.ts',
    source: byLabel(
      (l) => l.startsWith('logSoftmax'),
      () => ({ wgsl: W.softmaxWgsl(false), config: 'softmax along the last axis' }),
      () => ({ wgsl: W.softmaxWgsl(true), config: 'logSoftmax along the last axis' }),
    ),
  },
  'cross-entropy': { file: 'cross-entropy/cross-entropy.wgsl.ts', source: fixed(W.crossEntropyWgsl(false), 'per-row loss (the mean is a reduce)') },
  bmm: { file: 'bmm/bmm.wgsl.ts', source: fixed(W.bmmWgsl(), `${W.BMM_TILE}x${W.BMM_TILE} tiles, one batch per workgroup layer`) },
  'gather, scatterAdd': { file: 'gather/gather.wgsl.ts', source: fixed(W.gatherWgsl('f32'), 'gather, f32 rows') },
  where: { file: 'where/where.wgsl.ts', source: fixed(W.whereWgsl('f32', 'f32'), 'f32 condition and operands, broadcasting') },
  'SGD with momentum': { file: 'optim/optim.wgsl.ts', source: fixed(W.sgdMomentumWgsl(), 'one tensor per dispatch') },
  random: {
    file: 'random/random.wgsl.ts',
    source: byLabel(
      (l) => l.startsWith('randn'),
      () => ({ wgsl: W.randomWgsl('uniform', 'f32'), config: 'uniform f32 (Philox 4x32-10)' }),
      () => ({ wgsl: W.randomWgsl('normal', 'f32'), config: 'normal f32 (Philox 4x32-10, Box-Muller)' }),
    ),
  },
  dropout: { file: 'dropout/dropout.wgsl.ts', source: fixed(W.dropoutWgsl('f32', true, true), 'f32, with input, dense') },
  'conv2d, convTranspose2d': {
    file: 'conv/conv.wgsl.ts',
    source: byLabel(
      (l) => l.includes(' convT '),
      () => ({ wgsl: W.convWgsl({ bias: false }), config: `conv2d: implicit GEMM, no bias, ${W.CONV_TILE}x${W.CONV_TILE} output tiles` }),
      () => ({
        wgsl: W.col2imWgsl(false),
        config: 'convTranspose2d: the tuned matmul (x against the weights), then this col2im gather (conv/col2im.wgsl.ts), no bias',
      }),
    ),
  },
  'strided copy': {
    file: 'shape/shape.wgsl.ts',
    source: fixed(W.copyStridedWgsl(), 'any view into a dense tensor (concat copies each input into its slice of the output)'),
  },
};

/** The kernel's teaching header: the comment marked `@kernel-header` (./header.ts). */
export function header(file: string): string {
  const text = Object.entries(SOURCES).find(([path]) => path.endsWith(file))?.[1] ?? '';
  return teachingHeader(text) ?? '(no header)';
}
