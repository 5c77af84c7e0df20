/**
 * The roofline's two numbers, measured on the device at hand, and the matmul ladder's timing:
 * browser-safe (no Node module), shared by `pnpm bench ladder` (./ladder.ts), the benchmarks'
 * wasm runners (./runners.ts) and the page's kernel reader (demo/src/kernels/).
 *
 * - WebGPU: @saddle/ops's probes (src/probe: register-only FMA chains, and a vec4 copy),
 *   recorded and timed by the wall clock up to device.sync().
 * - wasm: kernels-wasm's assembly/probe/peak.ts (f32x4 mul + add chains) on one and on every
 *   thread, and assembly/probe/copy.ts (v128 loads and stores, each thread its share).
 *
 * Bandwidth counts bytes read plus bytes written; a multiply-add is 2 flops (docs/performance.md,
 * "Roofline").
 */
import { fromArray, Tensor, type Device, type WasmDevice, type WebGpuDevice } from '@saddle/tensor';
import { matmulLadder, recordCopyProbe, recordFmaProbe, type LadderStep } from '@saddle/ops';
import { uniformData } from './benches/matmul.js';

/** The wall clock, ms. */
export const wallMs = () => performance.now();

/**
 * The best ms per call of `run`: one call to compile and warm up, then `reps` reps of enough calls
 * to last about 0.2 s (the first rep one call), each ended by `sync`; the best rep is the least
 * disturbed on a shared machine.
 */
export async function timeBest(run: () => void, sync: () => Promise<void>, reps: number, clock: () => number = wallMs): Promise<number> {
  run();
  await sync();
  let calls = 1;
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = clock();
    for (let i = 0; i < calls; i++) run();
    await sync();
    const ms = clock() - t0;
    best = Math.min(best, ms / calls);
    if (ms < 150) calls = Math.min(1000, Math.ceil((calls * 200) / Math.max(ms, 1)));
  }
  return best;
}

/** A device's roofline: peak GFLOP/s and copy bandwidth in GB/s (read + written). */
export interface Roofline {
  peak: number;
  bandwidth: number;
}

/**
 * The FMA-chain probe's rate and the copy probe's bandwidth on a WebGPU device. Sizes by default:
 * on a software adapter 64 workgroups of 2048 steps, else 4096 of 65536; 64 MiB copied.
 */
export async function measureGpuRoofline(
  device: WebGpuDevice,
  reps: number,
  size: { workgroups?: number; iters?: number; copyBytes?: number } = {},
): Promise<Roofline> {
  const workgroups = size.workgroups ?? (device.software ? 64 : 4096);
  const iters = size.iters ?? (device.software ? 2048 : 65536);
  const out = Tensor.empty([workgroups * 256], 'f32', device);
  let flops = 0;
  const ms = await timeBest(
    () => (flops = recordFmaProbe(device, out, workgroups, iters)),
    () => device.sync(),
    reps,
  );
  out.dispose();
  const n = (size.copyBytes ?? 64 << 20) / 4;
  const src = Tensor.empty([n], 'f32', device);
  const dst = Tensor.empty([n], 'f32', device);
  let bytes = 0;
  const copyMs = await timeBest(
    () => (bytes = recordCopyProbe(device, src, dst)),
    () => device.sync(),
    reps,
  );
  src.dispose();
  dst.dispose();
  return { peak: flops / ms / 1e6, bandwidth: bytes / copyMs / 1e6 };
}

/** The copy probe's bandwidth on every thread of a wasm device, GB/s (read + written), best of `reps` after one warm-up. */
export function measureWasmBandwidth(device: WasmDevice, reps: number, bytes = 64 << 20): number {
  const src = device.alloc('f32', bytes / 4);
  const dst = device.alloc('f32', bytes / 4);
  let best = Infinity;
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    device.run('probeCopyBandwidth', [device.address(src), device.address(dst), bytes], Infinity);
    const ms = performance.now() - t0;
    if (r > 0) best = Math.min(best, ms);
  }
  device.free(src);
  device.free(dst);
  return (2 * bytes) / best / 1e6;
}

export interface WasmPeak {
  /** GFLOP/s of one thread, and of every thread together (wall time). */
  oneThread: number;
  allThreads: number;
  threads: number;
  method: string;
}

/**
 * The peak f32x4 mul + add rate, measured: kernels-wasm's probe/peak.ts (12 register-only chains
 * of acc = acc·m + c, 96 flops a step) on one thread and on all of the device's threads; best of
 * 5 runs of about 0.1 s each, wall time.
 */
export function measureWasmPeak(device: WasmDevice, clock: () => number = () => performance.now()): WasmPeak {
  const flopsPerIter = device.constant('PEAK_FLOPS_PER_ITER');
  const scratch = device.alloc('f32', 64);
  const out = device.address(scratch);
  const rate = (threads: number) => {
    let iters = 1e5;
    let best = 0;
    for (let r = 0; r < 8; r++) {
      const t0 = clock();
      // work = Infinity: always on every thread of the pool (threads = 1 asks for the caller alone).
      if (threads === 1) device.run('peakMulAddF32', [iters, out], 0);
      else device.run('peakMulAddF32', [iters, out], Infinity);
      const ms = Math.max(clock() - t0, 1e-3);
      if (r >= 3) best = Math.max(best, (threads * iters * flopsPerIter) / ms / 1e6);
      iters = Math.min(2e8, Math.max(1e5, Math.round((iters * 100) / ms)));
    }
    return best;
  };
  const oneThread = rate(1);
  const allThreads = device.threads > 1 ? rate(device.threads) : oneThread;
  device.free(scratch);
  return {
    oneThread,
    allThreads,
    threads: device.threads,
    method:
      `kernels-wasm probe/peak.ts on the ${device.build} build: 12 independent register-only chains acc = acc·m + c (${device.build === 'relaxed-simd' ? 'one fused f32x4.relaxed_madd' : 'one f32x4 mul + one f32x4 add'} each, ` +
      "96 flops a step, the matmul inner loop's instruction mix without its loads), best of 5 runs of ~0.1 s, wall time",
  };
}

/** One timed step of the matmul ladder. */
export interface LadderRow {
  step: string;
  idea: string;
  intensity: number;
  ms: number;
  gflops: number;
  /** Against the peak of the threads the step runs on. */
  pctPeak: number;
  /** Against the step before it. */
  speedup: number | null;
}

/**
 * Times ladder `steps` on one `size`³ product on `device` (timeBest, `clockFor()` per step), each
 * against `peakFor(step)` GFLOP/s; `onRow` hears of each row as it comes.
 */
export async function timeLadder(
  device: Device,
  steps: readonly LadderStep[],
  size: number,
  reps: number,
  peakFor: (s: LadderStep) => number,
  sync: () => Promise<void>,
  clockFor: (s: LadderStep) => () => number = () => wallMs,
  onRow: (r: LadderRow) => void = () => {},
): Promise<LadderRow[]> {
  const a = fromArray(uniformData(size * size, 1), [size, size], { device });
  const b = fromArray(uniformData(size * size, 2), [size, size], { device });
  const rows: LadderRow[] = [];
  try {
    for (const s of steps) {
      const ms = await timeBest(() => matmulLadder(a, b, s.name).dispose(), sync, reps, clockFor(s));
      const gflops = (2 * size ** 3) / ms / 1e6;
      const prev = rows[rows.length - 1];
      const row = {
        step: s.name,
        idea: s.idea,
        intensity: s.intensity,
        ms,
        gflops,
        pctPeak: (100 * gflops) / peakFor(s),
        speedup: prev ? gflops / prev.gflops : null,
      };
      rows.push(row);
      onRow(row);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  return rows;
}
