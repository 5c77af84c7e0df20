import { SaddleError, Tensor, fmtShape, type DeviceKind } from '@saddle/tensor';
import { asWasm, expectRank, sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { ladderOnCpu } from './ladder.cpu.js';
import { ladderOnWasm } from './ladder.wasm.js';
import { ladderOnWebgpu } from './ladder.webgpu.js';

/**
 * The matmul ladder (docs/kernels.md, "The matmul ladder"): the same product C = A·B written from
 * naive to fast, one idea per step, on each device. Each step is a real kernel, tested against the
 * CPU twin (test/kernels/ladder.test.ts) and timed by `pnpm bench ladder`.
 */
export interface LadderStep {
  /** The name `matmulLadder` takes. */
  name: string;
  device: 'webgpu' | 'wasm';
  /** What this step adds to the one before. */
  idea: string;
  /** Where the code is. */
  source: string;
  /**
   * Flops per byte from memory as the kernel's blocking plans it (a multiply-add is 2 flops, a
   * value 4 bytes): the block of outputs it computes per load from global memory (WebGPU) or from
   * beyond the caches its blocking targets (wasm). Real caches may do better for the early steps.
   */
  intensity: number;
  /** The build of the wasm kernels the step needs (WasmDevice.build); absent: it runs on either. */
  build?: 'relaxed-simd';
}

/** The WebGPU steps of the matmul ladder, naive to the production kernel (docs/kernels.md). */
export const WGSL_LADDER: readonly LadderStep[] = [
  { name: 'naive', device: 'webgpu', idea: 'one thread per output, row and column from global memory', source: 'ladder/ladder.wgsl.ts', intensity: 0.25 },
  { name: 'tiled', device: 'webgpu', idea: '16x16 tiles of A and B in workgroup memory', source: 'ladder/ladder.wgsl.ts', intensity: 4 },
  { name: 'register', device: 'webgpu', idea: '64x64 blocks, a 4x4 register tile per thread', source: 'ladder/ladder.wgsl.ts', intensity: 16 },
  {
    name: 'vec4',
    device: 'webgpu',
    idea: '128x128 blocks, 8x8 per thread, vec4 loads, k-major tiles',
    source: 'matmul/matmul.wgsl.ts (LADDER_VEC4_CONFIG)',
    intensity: 32,
  },
  { name: 'final', device: 'webgpu', idea: 'double buffering and the block swizzle (MATMUL_CONFIGS.large)', source: 'matmul/matmul.wgsl.ts', intensity: 32 },
];

/** Flops per byte of a wasm macro tile of 16·mr x 128 over one K block (see chooseWasmMatmulTiles). */
function macroTileIntensity(mr: number): number {
  return (2 * 16 * mr * 128) / (4 * (16 * mr + 128));
}

/**
 * The wasm steps of the matmul ladder, scalar to the production kernel on every core, then on the
 * relaxed-SIMD build (docs/kernels.md). `pnpm bench ladder` runs all but `fma` on a SIMD128 device.
 */
export const WASM_LADDER: readonly LadderStep[] = [
  { name: 'scalar', device: 'wasm', idea: 'three loops, one output at a time', source: 'kernels-wasm assembly/ladder/ladder.ts', intensity: 0.25 },
  // Per k: one splat of A and one f32x4 of B (20 bytes) for 4 multiply-adds.
  {
    name: 'f32x4',
    device: 'wasm',
    idea: 'four outputs of a row per f32x4, B read along its rows',
    source: 'kernels-wasm assembly/ladder/ladder.ts',
    intensity: 8 / 20,
  },
  {
    name: 'tile4x8',
    device: 'wasm',
    idea: 'a 4x8 register tile: eight f32x4 accumulators',
    source: 'kernels-wasm assembly/ladder/ladder.ts',
    intensity: (2 * 4 * 8) / (4 * (4 + 8)),
  },
  // The same 4x8 tile: packing makes its loads contiguous, not fewer.
  {
    name: 'packed',
    device: 'wasm',
    idea: 'A and B packed into contiguous panels first',
    source: 'kernels-wasm assembly/ladder/ladder.ts',
    intensity: (2 * 4 * 8) / (4 * (4 + 8)),
  },
  // A 16·MR x 128 macro tile over a K block loads (16·MR + 128)·kc floats for 16·MR·128·kc
  // multiply-adds from memory; the caches serve the rest (the A block from L2, the B micro-panel
  // from L1). The intensity is the SIMD128 build's (MR = 4: 64 x 128), the build these steps are
  // measured on; a relaxed-SIMD device runs its own kernel here (MR = 5, the `fma` step's).
  {
    name: 'kblocks',
    device: 'wasm',
    idea: "K in blocks of 256 and 16·MR x 128 macro tiles, 64x128 with SIMD128's 4x8 tile (production kernel, one thread)",
    source: 'kernels-wasm assembly/matmul/matmul.ts',
    intensity: macroTileIntensity(4),
  },
  {
    name: 'threads',
    device: 'wasm',
    idea: 'every core, macro tiles from an atomic counter (production kernel)',
    source: 'kernels-wasm assembly/matmul/matmul.ts',
    intensity: macroTileIntensity(4),
  },
  // The relaxed-SIMD build of the same kernel (matmulLadder refuses it on a SIMD128 device).
  {
    name: 'fma',
    device: 'wasm',
    idea: 'the relaxed-SIMD build on every core: one fused f32x4.relaxed_madd instead of mul + add, so the chain frees registers for a 5x8 tile (80x128 macro tiles); results may differ from SIMD128 in the last bits',
    source: 'kernels-wasm assembly/matmul/matmul.ts (ASC_FEATURE_RELAXED_SIMD)',
    intensity: macroTileIntensity(5),
    build: 'relaxed-simd',
  },
];

/** Every step, WebGPU's then wasm's. */
export const MATMUL_LADDER: readonly LadderStep[] = [...WGSL_LADDER, ...WASM_LADDER];

/** The steps each device runs (the ladder has no CPU steps: matmulCpu is every step's twin). */
const STEPS: { readonly [K in DeviceKind]: readonly LadderStep[] } = { cpu: [], wasm: WASM_LADDER, webgpu: WGSL_LADDER };

/** One ladder step on each device: the wasm steps, the WGSL steps; the CPU has none and refuses. */
const LADDER: DeviceTable<(step: string, a: Tensor, b: Tensor, out: Tensor, m: number, n: number, k: number) => void> = {
  cpu: ladderOnCpu,
  wasm: ladderOnWasm,
  webgpu: ladderOnWebgpu,
};

/**
 * C = A·B by ladder step `step` (a name from WGSL_LADDER on a WebGPU device, from WASM_LADDER on
 * a wasm device): a [M,K], b [K,N], dense or not (a view is made dense first), f32. The result is
 * a new dense [M,N] tensor. For learning and benchmarks; `matmul` is the op to use.
 */
export function matmulLadder(a: Tensor, b: Tensor, step: string): Tensor {
  const op = 'matmulLadder';
  const device = sameDevice(op, a, b);
  expectRank(op, 'a', a, 2);
  expectRank(op, 'b', b, 2);
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (t.dtype !== 'f32') throw new SaddleError(op, `${name} has dtype ${t.dtype} ${fmtShape(t.shape)}; expected f32`);
  }
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  if (b.shape[0] !== k) throw new SaddleError(op, `inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}; expected a[1] == b[0]`);
  const steps = STEPS[device.kind];
  if (!steps.some((s) => s.name === step)) {
    const expected = steps.length ? `one of ${steps.map((s) => `'${s.name}'`).join(', ')}` : 'a webgpu or wasm tensor (the ladder has no CPU steps)';
    throw new SaddleError(op, `no step '${step}' on ${device.kind} for a ${fmtShape(a.shape)}·${fmtShape(b.shape)} f32 product; expected ${expected}`);
  }
  const need = steps.find((s) => s.name === step)!.build;
  if (need !== undefined) {
    const build = asWasm(device).build;
    if (build !== need) {
      throw new SaddleError(
        op,
        `step '${step}' runs the ${need} build of the wasm kernels, and this device (${device.name}) runs the ${build} build, for a ${fmtShape(a.shape)}·${fmtShape(b.shape)} f32 product; expected a wasm device created with build: '${need}' (an engine with relaxed SIMD)`,
      );
    }
  }
  const out = Tensor.empty([m, n], 'f32', device);
  if (m === 0 || n === 0) return out;
  const da = dense(a);
  const db = dense(b);
  try {
    LADDER[device.kind](step, da, db, out, m, n, k);
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (da !== a) da.dispose();
    if (db !== b) db.dispose();
  }
  return out;
}
