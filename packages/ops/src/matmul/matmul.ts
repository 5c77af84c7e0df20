import { Params, SaddleError, Tensor, fmtShape, type WasmDevice, type WasmKernelArgs, type WebGpuDevice } from '@saddle/tensor';
import { add, dense, relu, sigmoid } from '../elementwise/elementwise.js';
import { bmm } from '../bmm/bmm.js';
import { expandDims, squeeze } from '../shape/shape.js';
import { isMatmul2d, matmulBroadcast, type MatmulBroadcastOps } from './matmul-broadcast.js';
import { asGpu, asWasm, expectRank, grid1d, sameDevice } from '../shared/launch.js';
import { matmulCpu } from './matmul.cpu.js';
import { ACTIVATIONS, type Activation } from '../shared/activation.js';
import { MATMUL_SPLIT_K, chooseSplitK, recordSplitKReduce, splitKParts } from './split-k.js';
import {
  MATMUL_ACTIVATION_CODE,
  matmulThreads,
  matmulWgsl,
  matmulWorkgroupBytes,
  validateMatmulConfig,
  type MatmulConfig,
} from './matmul.wgsl.js';

/** Options of `matmul`: transposed operands, a bias, a fused activation, the kernel configuration. */
export interface MatmulOptions {
  /** `a` is stored [K, M]: the product uses its transpose (read transposed by the kernel, no copy). */
  transA?: boolean;
  /** `b` is stored [N, K]: the product uses its transpose. */
  transB?: boolean;
  /** Shape `[N]`: added to every row of the product (per column), in the kernel's epilogue. */
  bias?: Tensor;
  /** Applied after the bias, in the epilogue. */
  activation?: Activation;
  /**
   * Force a WGSL tiling (for benchmarks and tuning): a name from MATMUL_CONFIGS or a config. By
   * default the tiling is chosen from the problem size and the device's workgroup-memory limit.
   * WebGPU only: the CPU and wasm devices ignore it.
   */
  config?: keyof typeof MATMUL_CONFIGS | MatmulConfig;
  /**
   * Force split-K into this many parts of K (1: never split; see split-k.ts). By default it is
   * chosen with the tiling: on a hardware GPU, for products with few blocks and a long K.
   */
  splitK?: number;
  /**
   * Force the wasm kernel's macro tile, mc rows x nc columns of C per claim of the tile counter
   * (for the page's kernel reader and tuning): mc a positive multiple of the register tile's rows
   * (`MATMUL_MR`), nc of its columns (`MATMUL_NR`). By default `chooseWasmMatmulTiles` picks it.
   * The result is the same bits whatever the tile. wasm only: the other devices ignore it.
   */
  wasmTiles?: { mc: number; nc: number };
}

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

/**
 * `t` as a dense row-major matrix and whether it is stored transposed relative to what it holds.
 * A transposed view of a dense matrix (strides [1, rows], offset 0) is its storage read the other
 * way round: flip the flag instead of copying. Anything else that is not dense is copied. `owned`:
 * the returned tensor (a new view or a copy) is the caller's to dispose.
 */
function asStored(t: Tensor, trans: boolean): { t: Tensor; trans: boolean; owned: boolean } {
  if (t.isDense) return { t, trans, owned: false };
  const [r, c] = t.shape as [number, number];
  const transposedView = t.offset === 0 && (r === 1 || t.strides[0] === 1) && (c === 1 || t.strides[1] === r);
  if (transposedView) return { t: t.view([c, r], [r, 1], 0), trans: !trans, owned: true };
  return { t: dense(t), trans, owned: true };
}

/**
 * C = act(op(a)·op(b) + bias): a is [M,K] (or stored [K,M] with transA), b is [K,N] (or stored
 * [N,K] with transB), bias [N]; the result is a new dense [M,N] tensor of a's dtype (f32; f64 on
 * the CPU). Bias and activation are fused into the kernel's epilogue: the WGSL kernel on WebGPU,
 * kernels-wasm's assembly/matmul on wasm, the CPU twin on the CPU.
 *
 * Other ranks broadcast as `torch.matmul` does (matmul-broadcast.ts): a 1-D operand is a row (a)
 * or a column (b) whose added dim is dropped from the result, and operands of rank 3 and more are
 * stacks of matrices with NumPy-broadcast batch dims ([..., M, K]·[..., K, N] -> [..., M, N], by
 * `bmm`), bias and activation applied after.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  return isMatmul2d(a, b) ? matmul2d(a, b, opts) : matmulBroadcast(KERNEL_OPS, a, b, opts);
}

/** The kernel ops matmulBroadcast composes (autograd passes its recording ones instead). */
const KERNEL_OPS: MatmulBroadcastOps<MatmulOptions> = {
  matmul2d: (a, b, opts) => matmul2d(a, b, opts),
  bmm,
  expandDims,
  squeeze,
  add,
  relu,
  sigmoid,
  disposeIntermediates: true,
};

/** The 2-D product with the fused epilogue (matmul of two rank-2 operands). */
function matmul2d(a: Tensor, b: Tensor, opts: MatmulOptions): Tensor {
  const op = 'matmul';
  const { transA = false, transB = false, bias, activation = 'none' } = opts;
  const device = bias ? sameDevice(op, a, b, bias) : sameDevice(op, a, b);
  expectRank(op, 'a', a, 2);
  expectRank(op, 'b', b, 2);
  if (bias) expectRank(op, 'bias', bias, 1);
  for (const [name, t] of [['a', a], ['b', b], ['bias', bias]] as const) {
    if (t && t.dtype !== 'f32' && t.dtype !== 'f64') {
      throw new SaddleError(op, `${name} has dtype ${t.dtype} ${fmtShape(t.shape)}; expected f32 (or f64 on the CPU)`);
    }
  }
  if (b.dtype !== a.dtype || (bias && bias.dtype !== a.dtype)) {
    throw new SaddleError(op, `dtypes differ: a is ${a.dtype}, b is ${b.dtype}${bias ? `, bias is ${bias.dtype}` : ''}; expected one dtype`);
  }
  if (!ACTIVATIONS.includes(activation)) {
    throw new SaddleError(op, `unknown activation '${String(activation)}'; expected ${ACTIVATIONS.map((x) => `'${x}'`).join(', ')}`);
  }
  const ak = transA ? 0 : 1;
  const bk = transB ? 1 : 0;
  const m = a.shape[1 - ak]!;
  const k = a.shape[ak]!;
  const n = b.shape[1 - bk]!;
  if (b.shape[bk] !== k) {
    const flags = [transA ? 'transA' : '', transB ? 'transB' : ''].filter(Boolean).join(', ');
    throw new SaddleError(
      op,
      `inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}${flags ? ` (${flags})` : ''}; expected a[${ak}] == b[${bk}]`,
    );
  }
  if (bias && bias.shape[0] !== n) {
    throw new SaddleError(op, `bias has shape ${fmtShape(bias.shape)}; expected [${n}] (one per column of the [${m}, ${n}] product)`);
  }

  const out = Tensor.empty([m, n], a.dtype, device);
  if (m === 0 || n === 0) return out;
  const sa = asStored(a, transA);
  const sb = asStored(b, transB);
  const sbias = bias ? { t: dense(bias), owned: !bias.isDense } : null;
  try {
    if (device.kind === 'cpu') {
      matmulCpu(sa.t.storage.data!, sb.t.storage.data!, out.storage.data!, m, n, k, {
        transA: sa.trans,
        transB: sb.trans,
        bias: sbias ? sbias.t.storage.data! : null,
        activation,
      });
    } else if (device.kind === 'wasm') {
      runMatmulWasm(asWasm(device), { a: sa.t, b: sb.t, bias: sbias?.t ?? null, out, m, n, k, transA: sa.trans, transB: sb.trans, activation }, false, opts.wasmTiles);
    } else {
      recordMatmul(asGpu(device, op), sa.t, sb.t, sbias?.t ?? null, out, m, n, k, sa.trans, sb.trans, activation, opts.config, opts.splitK);
    }
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (sa.owned) sa.t.dispose();
    if (sb.owned) sb.t.dispose();
    if (sbias?.owned) sbias.t.dispose();
  }
  return out;
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
  forced: MatmulOptions['config'],
  forcedSplit: number | undefined,
  fused: MatmulFusedOperands = {},
): void {
  let config: MatmulConfig;
  if (forced) {
    const c = typeof forced === 'string' ? MATMUL_CONFIGS[forced] : forced;
    if (!c) throw new SaddleError('matmul', `unknown config '${String(forced)}'; expected one of ${Object.keys(MATMUL_CONFIGS).join(', ')}`);
    validateMatmulConfig(c);
    const fitted = fitConfig(c, device.limits);
    if (!fitted) throw new SaddleError('matmul', `config ${c.name} needs ${matmulWorkgroupBytes(c)} bytes of workgroup memory; this device allows ${device.limits.maxComputeWorkgroupStorageSize}`);
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

/**
 * The macro tile (rows x columns of C a wasm thread takes at a time; see kernels-wasm's
 * assembly/matmul/matmul.ts): 16·mr x 128 (64 x 128 with the SIMD128 build's 4-row register
 * tiles, 80 x 128 with the relaxed build's 5-row ones; mc must be a multiple of mr) where the product has enough of them, smaller where it has
 * too few to keep every thread busy to the end (threads take tiles from a shared counter, so more
 * tiles than threads lets a thread slowed by the machine's other work do fewer). The tiling never
 * changes the result: each output's summation order depends on K alone.
 */
export function chooseWasmMatmulTiles(m: number, n: number, threads: number, mr = 4, nr = 8): { mc: number; nc: number } {
  let mc = 16 * mr;
  let nc = 128;
  const want = 4 * threads;
  const count = () => Math.ceil(m / mc) * Math.ceil(n / nc);
  while (count() < want && (nc > 2 * nr || mc > 4 * mr)) {
    if (nc >= mc && nc > 2 * nr) nc /= 2;
    else mc /= 2;
  }
  return { mc, nc };
}

/** One product for the wasm kernel: dense stored operands, the flags that say how to read them, the output. */
export interface WasmMatmulProblem {
  a: Tensor;
  b: Tensor;
  bias: Tensor | null;
  out: Tensor;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  activation: Activation;
}

/** Where a wasm matmul's scratch block puts each part (see kernels-wasm's assembly/matmul/matmul.ts). */
interface WasmMatmulPlan {
  scratch: Tensor;
  args: WasmKernelArgs<'matmulF32'>;
  /** Float index and count of the panel states (zeroed before a call so the panels are packed). */
  statesAt: number;
  states: number;
  work: number;
}

/**
 * Lays out the scratch of one wasm matmul (one block of the device's heap: size classes make it a
 * reuse from the second call on) and the kernel's arguments.
 */
function planMatmulWasm(device: WasmDevice, p: WasmMatmulProblem, oneThread = false, tiles?: { mc: number; nc: number }): WasmMatmulPlan {
  const { a, b, bias, out, m, n, k, transA, transB, activation } = p;
  const mr = device.constant('MATMUL_MR');
  const nr = device.constant('MATMUL_NR');
  if (tiles) checkWasmTiles(tiles, mr, nr, m, n, k);
  const panelsA = Math.ceil(m / mr);
  const panelsB = Math.ceil(n / nr);
  // One edge buffer per unit: the kernel is called with tid up to device.units - 1 (4 per thread).
  const statesAt = device.constant('MATMUL_SCRATCH_HEAD') + device.units * device.constant('MATMUL_EDGE_BYTES');
  const packAAt = statesAt + Math.ceil(((panelsA + panelsB) * 4) / 64) * 64;
  const packBAt = packAAt + panelsA * mr * k * 4;
  const bytes = packBAt + panelsB * nr * k * 4;
  const scratch = Tensor.empty([bytes / 4], 'f32', device);
  const base = device.address(scratch.storage);
  const { mc, nc } = tiles ?? chooseWasmMatmulTiles(m, n, oneThread ? 1 : device.threads, mr, nr);
  const args: WasmKernelArgs<'matmulF32'> = [
    device.address(a.storage),
    device.address(b.storage),
    transA ? 1 : 0,
    transB ? 1 : 0,
    device.address(out.storage),
    bias ? device.address(bias.storage) : 0,
    m,
    n,
    k,
    MATMUL_ACTIVATION_CODE[activation],
    mc,
    nc,
    base,
    base + statesAt,
    base + packAAt,
    base + packBAt,
  ];
  // work -1: the calling thread alone (below any minParallelWork, which is never negative).
  return { scratch, args, statesAt: statesAt / 4, states: panelsA + panelsB, work: oneThread ? -1 : (m * n * k) / 8 + m * n };
}

function checkWasmTiles(t: { mc: number; nc: number }, mr: number, nr: number, m: number, n: number, k: number): void {
  const ok = (x: number, of: number) => Number.isInteger(x) && x > 0 && x % of === 0;
  if (!ok(t.mc, mr) || !ok(t.nc, nr)) {
    throw new SaddleError('matmul', `wasmTiles is ${t.mc} x ${t.nc} for an [${m}, ${k}]·[${k}, ${n}] f32 product; expected mc a positive multiple of ${mr} and nc a positive multiple of ${nr} (the register tile)`);
  }
}

/** One call of the wasm kernel on a plan: the tile counter reset, the panels repacked unless `repack` is false. */
function launchMatmulWasm(device: WasmDevice, plan: WasmMatmulPlan, repack = true): void {
  const head = plan.scratch.storage.data!;
  head[0] = 0; // the tile counter (0.0f has the bits of the i32 0)
  if (repack) head.fill(0, plan.statesAt, plan.statesAt + plan.states);
  device.run('matmulF32', plan.args, plan.work);
}

/**
 * The wasm matmul: one run on every thread, which packs op(A) and op(B) into panels as the tiles
 * first need them and computes the register tiles (see kernels-wasm's assembly/matmul/matmul.ts).
 * `oneThread`: on the calling thread alone (the matmul ladder's step before threads); `tiles`:
 * the macro tile, when forced (MatmulOptions.wasmTiles).
 */
export function runMatmulWasm(device: WasmDevice, p: WasmMatmulProblem, oneThread = false, tiles?: { mc: number; nc: number }): void {
  const plan = planMatmulWasm(device, p, oneThread, tiles);
  try {
    launchMatmulWasm(device, plan);
  } finally {
    plan.scratch.dispose();
  }
}

/**
 * Where a wasm matmul's time goes, for the benchmarks: `reps` calls as matmul() makes them (packing
 * included) and `reps` calls on panels already packed (the tiles alone), each timed by `clock` (the
 * wall clock by default; a probe on a shared machine may pass the process's CPU time); returns the
 * median of each, in ms. a and b must be dense f32 matrices on a wasm device.
 */
export function profileWasmMatmul(
  a: Tensor,
  b: Tensor,
  opts: { transA?: boolean; transB?: boolean } = {},
  reps = 5,
  clock: () => number = () => performance.now(),
): { totalMs: number; tilesMs: number } {
  const { transA = false, transB = false } = opts;
  if (a.device.kind !== 'wasm' || !a.isDense || !b.isDense) throw new SaddleError('profileWasmMatmul', 'expected dense matrices on a wasm device');
  const device = asWasm(a.device);
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const n = transB ? b.shape[0]! : b.shape[1]!;
  const out = Tensor.empty([m, n], 'f32', device);
  const plan = planMatmulWasm(device, { a, b, bias: null, out, m, n, k, transA, transB, activation: 'none' });
  const time = (repack: boolean) => {
    const ts: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = clock();
      launchMatmulWasm(device, plan, repack);
      ts.push(clock() - t0);
    }
    return ts.sort((x, y) => x - y)[Math.floor(reps / 2)]!;
  };
  try {
    launchMatmulWasm(device, plan);
    return { totalMs: time(true), tilesMs: time(false) };
  } finally {
    plan.scratch.dispose();
    out.dispose();
  }
}
