import { Params, SaddleError, Tensor, type WebGpuDevice } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import type { Activation } from '../shared/activation.js';
import type { MatmulProblem } from './matmul.cpu.js';
import { MATMUL_SPLIT_K, chooseSplitK, splitKParts } from './split-k.js';
import { recordSplitKReduce } from './split-k.webgpu.js';
import { MATMUL_ACTIVATION_CODE, matmulThreads, matmulWgsl, matmulWorkgroupBytes, validateMatmulConfig, type MatmulConfig } from './matmul.wgsl.js';

/**
 * The tilings, largest first. `large` is for big products (32 flop per byte of global traffic,
 * counting a multiply-add as 2 flops);
 * the smaller ones launch more workgroups, which small and skinny products need to fill a GPU.
 */
export const MATMUL_CONFIGS = {
  large: { name: 'large', bm: 128, bn: 128, bk: 16, tm: 8, tn: 8, doubleBuffer: true, unroll: 4 },
  medium: { name: 'medium', bm: 64, bn: 64, bk: 16, tm: 4, tn: 4, doubleBuffer: true, unroll: 4 },
  small: { name: 'small', bm: 32, bn: 32, bk: 16, tm: 4, tn: 4, doubleBuffer: true, unroll: 4 },
} as const satisfies Record<string, MatmulConfig>;

/**
 * A configuration is used only if it launches at least this many workgroups (the last one always):
 * enough to give every multiprocessor of a large GPU (132 on an H100) a block. A software adapter
 * (lavapipe, SwiftShader) runs workgroups on a few CPU threads, so there the larger tiles, which
 * do the most work per load, win at every size.
 */
export const MATMUL_MIN_WORKGROUPS = { gpu: 128, software: 4 } as const;

interface Limits {
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
}

/** `c`, or its single-buffered form, if it fits the device's limits; otherwise null. */
function fitConfig(c: MatmulConfig, limits: Limits): MatmulConfig | null {
  const threads = matmulThreads(c);
  if (threads > limits.maxComputeInvocationsPerWorkgroup || threads > limits.maxComputeWorkgroupSizeX) return null;
  if (matmulWorkgroupBytes(c) <= limits.maxComputeWorkgroupStorageSize) return c;
  if (c.doubleBuffer) {
    const single = { ...c, name: `${c.name}-single`, doubleBuffer: false };
    if (matmulWorkgroupBytes(single) <= limits.maxComputeWorkgroupStorageSize) return single;
  }
  return null;
}

/** The configurations that fit each limits object (a device's limits never change). */
const fittingByLimits = new WeakMap<object, readonly MatmulConfig[]>();

/**
 * The tiling for an M×N output: the largest configuration that fits the device and still launches
 * `minWorkgroups` workgroups; the smallest one that fits when none does.
 */
export function chooseMatmulConfig(m: number, n: number, limits: Limits, minWorkgroups: number = MATMUL_MIN_WORKGROUPS.gpu): MatmulConfig {
  let fitting = fittingByLimits.get(limits);
  if (fitting === undefined) {
    fitting = Object.values(MATMUL_CONFIGS)
      .map((c) => fitConfig(c, limits))
      .filter((c): c is MatmulConfig => c !== null);
    fittingByLimits.set(limits, fitting);
  }
  if (fitting.length === 0) throw new SaddleError('matmul', `no tiling fits maxComputeWorkgroupStorageSize ${limits.maxComputeWorkgroupStorageSize}`);
  for (const c of fitting) {
    if (Math.ceil(m / c.bm) * Math.ceil(n / c.bn) >= minWorkgroups) return c;
  }
  return fitting[fitting.length - 1]!;
}

/** The workgroup count that fills `device` (see MATMUL_MIN_WORKGROUPS). */
export function matmulMinWorkgroups(device: WebGpuDevice): number {
  return device.software ? MATMUL_MIN_WORKGROUPS.software : MATMUL_MIN_WORKGROUPS.gpu;
}

/** Generated sources, by configuration and transposes (generation is cheap, but matmul is called often). */
const sources = new Map<string, string>();

function sourceFor(config: MatmulConfig, transA: boolean, transB: boolean, fused: MatmulFusedOperands): string {
  const { name, bm, bn, bk, tm, tn, doubleBuffer, unroll, groupM } = config;
  const flags = { maskA: Boolean(fused.maskA), maskB: Boolean(fused.maskB), onesRowA: Boolean(fused.sums), f16Inputs: Boolean(fused.f16Inputs) };
  const key = `${name}/${bm}/${bn}/${bk}/${tm}/${tn}/${doubleBuffer}/${unroll}/${groupM}/${transA}/${transB}/${flags.maskA}/${flags.maskB}/${flags.onesRowA}/${flags.f16Inputs}`;
  let code = sources.get(key);
  if (code === undefined) {
    code = matmulWgsl({ config, transA, transB, ...flags });
    sources.set(key, code);
  }
  return code;
}

/**
 * The backward fusions' extra operands (matmul-fused.ts): masks stored like a / b (the operand is
 * multiplied by step(mask) as it is loaded), and `sums`, [N], which receives 1ᵀ·op(B) (op(A) gets a
 * row of ones; the product must have no bias, no activation and no split).
 */
export interface MatmulFusedOperands {
  maskA?: Tensor;
  maskB?: Tensor;
  sums?: Tensor;
  /** a and b hold f16 values, two per u32 (matmul-f16.ts). */
  f16Inputs?: boolean;
}

/**
 * Records the matmul kernel (matmul.wgsl.ts) for one product on `device`: the tiling (`forced`, or
 * chooseMatmulConfig's pick), split-K (`forcedSplit`, or chooseSplitK's), then one dispatch, and
 * the split-K reduction when K is split.
 */
export function recordMatmul(
  device: WebGpuDevice,
  a: Tensor,
  b: Tensor,
  bias: Tensor | null,
  out: Tensor,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  activation: Activation,
  forced: keyof typeof MATMUL_CONFIGS | MatmulConfig | undefined,
  forcedSplit: number | undefined,
  fused: MatmulFusedOperands = {},
): void {
  let config: MatmulConfig;
  if (forced) {
    const c = typeof forced === 'string' ? MATMUL_CONFIGS[forced] : forced;
    if (!c) throw new SaddleError('matmul', `unknown config '${String(forced)}'; expected one of ${Object.keys(MATMUL_CONFIGS).join(', ')}`);
    validateMatmulConfig(c);
    const fitted = fitConfig(c, device.limits);
    if (!fitted)
      throw new SaddleError(
        'matmul',
        `config ${c.name} needs ${matmulWorkgroupBytes(c)} bytes of workgroup memory; this device allows ${device.limits.maxComputeWorkgroupStorageSize}`,
      );
    config = fitted;
  } else {
    config = chooseMatmulConfig(m, n, device.limits, matmulMinWorkgroups(device));
  }
  const tilesM = Math.ceil(m / config.bm);
  const tilesN = Math.ceil(n / config.bn);
  // The ones row's sums are stored by the epilogue: one pass over K, no split.
  const split = fused.sums
    ? splitKParts(k, config.bk, 1)
    : forcedSplit !== undefined
      ? splitKParts(k, config.bk, forcedSplit)
      : chooseSplitK(tilesM * tilesN, k, config.bk, device.software ? MATMUL_SPLIT_K.software : MATMUL_SPLIT_K.gpu);
  // vec4 loads where the stored row length is a multiple of 4 (A stored [K,M] with transA, else [M,K]).
  const rowsA = fused.sums ? m - 1 : m; // with the ones row, m counts it; a stores m - 1 rows
  const vecA = (transA ? rowsA : k) % 4 === 0 ? 1 : 0;
  const vecB = (transB ? k : n) % 4 === 0 ? 1 : 0;
  // Split: the kernel stores raw partial sums in [S, M, N] and the reduction applies the epilogue.
  const parts = split.splits > 1 ? Tensor.empty([split.splits, m, n], 'f32', device) : null;
  const epilogue = !parts;
  // Without a bias, the bias binding points at a (read-only bindings may alias) and is never read.
  const biasStorage = fused.sums ? fused.sums.storage : bias && epilogue ? bias.storage : a.storage;
  const masks = [fused.maskA, fused.maskB].filter((t): t is Tensor => t !== undefined).map((t) => t.storage);
  try {
    device.dispatch({
      label: 'matmul',
      code: sourceFor(config, transA, transB, fused),
      params: new Params()
        .u32(m, n, k, tilesM, tilesN, vecA, vecB, bias && epilogue ? 1 : 0)
        .u32(epilogue ? MATMUL_ACTIVATION_CODE[activation] : 0, split.splits, split.kChunk, 0)
        .finish(),
      buffers: [a.storage, a.storage, b.storage, b.storage, biasStorage, (parts ?? out).storage, ...masks],
      workgroups: grid1d(tilesM * tilesN * split.splits, 1),
    });
    if (parts) recordSplitKReduce(device, parts, bias, out, m, n, split.splits, activation);
  } finally {
    parts?.dispose();
  }
}

/** The op's WebGPU entry: recordMatmul with the tiling and split-K the options force, if any. */
export function matmulOnWebgpu(p: MatmulProblem, opts: { config?: keyof typeof MATMUL_CONFIGS | MatmulConfig; splitK?: number }): void {
  recordMatmul(asGpu(p.out.device, 'matmul'), p.a, p.b, p.bias, p.out, p.m, p.n, p.k, p.transA, p.transB, p.activation, opts.config, opts.splitK);
}
