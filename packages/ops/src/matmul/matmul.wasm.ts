import { SaddleError, Tensor, type WasmDevice, type WasmKernelArgs } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import type { MatmulProblem } from './matmul.cpu.js';
import { MATMUL_ACTIVATION_CODE } from './matmul.wgsl.js';

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
function planMatmulWasm(device: WasmDevice, p: MatmulProblem, oneThread = false, tiles?: { mc: number; nc: number }): WasmMatmulPlan {
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
    throw new SaddleError(
      'matmul',
      `wasmTiles is ${t.mc} x ${t.nc} for an [${m}, ${k}]·[${k}, ${n}] f32 product; expected mc a positive multiple of ${mr} and nc a positive multiple of ${nr} (the register tile)`,
    );
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
export function runMatmulWasm(device: WasmDevice, p: MatmulProblem, oneThread = false, tiles?: { mc: number; nc: number }): void {
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

/** The op's wasm entry: runMatmulWasm on every thread, with the macro tile the options force, if any. */
export function matmulOnWasm(p: MatmulProblem, opts: { wasmTiles?: { mc: number; nc: number } }): void {
  runMatmulWasm(asWasm(p.out.device), p, false, opts.wasmTiles);
}
