/**
 * `pnpm bench ladder [--device webgpu|wasm|both] [--size N] [--reps N] [--no-write]`: times every
 * step of the matmul ladder (packages/kernels-wgsl/src/matmul-ladder) on an N³ product (default
 * LADDER_DEFAULT_SIZE) and measures the roofline of the device at hand with the probes: peak FMA (or f32x4 mul +
 * add) rate and copy bandwidth. Prints a markdown table per device, GFLOP/s and % of the measured
 * peak per step, and writes benchmarks/results/ladder-<device>-<date>.json (docs/images' roofline
 * is drawn from it by `pnpm figures`).
 *
 * Timing: each step's product is run once to compile and warm up, then `reps` reps of enough calls
 * to last about 0.2 s; the figure is the best rep (on a shared machine the least disturbed). WebGPU
 * reps end with device.sync() and are timed by the wall clock. The wasm steps before `threads` run
 * on one thread, are timed by the process's CPU time and compared with the one-thread peak (also
 * CPU time); `threads` is timed by the wall clock against threads × the one-thread peak.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createWasmDevice, createWebGpuDevice, fromArray, Tensor, type Device, type WasmDevice, type WebGpuDevice } from '@saddle/tensor';
import { matmulLadder, recordCopyProbe, recordFmaProbe, WASM_LADDER, WGSL_LADDER, type LadderStep } from '@saddle/kernels-wgsl';
import { measureWasmPeak } from './runners.js';
import { repoRoot, gitInfo } from './git.js';
import { uniformData } from './benches/matmul.js';

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

export interface LadderResult {
  device: 'webgpu' | 'wasm';
  description: string;
  size: number;
  date: string;
  commit: string;
  load: number[];
  /** GFLOP/s: the FMA probe (WebGPU) or f32x4 mul + add probe on one and on all threads (wasm). */
  peak: { oneThread?: number; all: number; threads?: number };
  /** GB/s, read + written, by the copy probe. */
  bandwidth: number;
  rows: LadderRow[];
}

/** The wall clock, ms. */
const wall = () => performance.now();
/** This process's CPU time, ms: on a shared machine, what a one-thread kernel consumed whatever the scheduler did. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function timeIt(run: () => void, sync: () => Promise<void>, reps: number, clock: () => number = wall): Promise<number> {
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

async function ladderRows(
  device: Device,
  steps: readonly LadderStep[],
  size: number,
  reps: number,
  peakFor: (s: LadderStep) => number,
  sync: () => Promise<void>,
  clockFor: () => () => number = () => wall,
): Promise<LadderRow[]> {
  const a = fromArray(uniformData(size * size, 1), [size, size], { device });
  const b = fromArray(uniformData(size * size, 2), [size, size], { device });
  const rows: LadderRow[] = [];
  for (const s of steps) {
    const ms = await timeIt(() => matmulLadder(a, b, s.name).dispose(), sync, reps, clockFor());
    const gflops = (2 * size ** 3) / ms / 1e6;
    const prev = rows[rows.length - 1];
    rows.push({ step: s.name, idea: s.idea, intensity: s.intensity, ms, gflops, pctPeak: (100 * gflops) / peakFor(s), speedup: prev ? gflops / prev.gflops : null });
    process.stderr.write(`  ${s.name}: ${gflops.toFixed(2)} GFLOP/s\n`);
  }
  a.dispose();
  b.dispose();
  return rows;
}

async function gpuPeak(device: WebGpuDevice, reps: number): Promise<{ peak: number; bandwidth: number }> {
  const workgroups = device.software ? 64 : 4096;
  const out = Tensor.empty([workgroups * 256], 'f32', device);
  let flops = 0;
  const iters = device.software ? 2048 : 65536;
  const ms = await timeIt(() => (flops = recordFmaProbe(device, out, workgroups, iters)), () => device.sync(), reps);
  out.dispose();
  const n = (64 << 20) / 4; // 64 MiB
  const src = Tensor.empty([n], 'f32', device);
  const dst = Tensor.empty([n], 'f32', device);
  let bytes = 0;
  const copyMs = await timeIt(() => (bytes = recordCopyProbe(device, src, dst)), () => device.sync(), reps);
  src.dispose();
  dst.dispose();
  return { peak: flops / ms / 1e6, bandwidth: bytes / copyMs / 1e6 };
}

function wasmBandwidth(device: WasmDevice, reps: number): number {
  const bytes = 64 << 20;
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

/**
 * The product's size by default: 512³ on WebGPU (lavapipe's slow steps take seconds a call there),
 * 1024³ on wasm (large enough that the packed operands outgrow L2 and K blocking matters).
 */
export const LADDER_DEFAULT_SIZE = { webgpu: 512, wasm: 1024 } as const;

const fmt = (x: number, d = 1) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));

export function ladderTable(r: LadderResult): string {
  const peak =
    r.device === 'wasm'
      ? `peak f32x4 mul + add ${fmt(r.peak.oneThread!)} GFLOP/s on one thread, ${fmt(r.peak.all)} on ${r.peak.threads}`
      : `peak FMA ${fmt(r.peak.all)} GFLOP/s`;
  const lines = [
    `${r.device} (${r.description}), ${r.size}³ f32, ${peak}, copy ${fmt(r.bandwidth)} GB/s; load average ${r.load.map((x) => x.toFixed(1)).join(' ')}; ${r.date}, ${r.commit}`,
    '',
    '| step | what it adds | flop/byte | ms | GFLOP/s | % of peak | × previous |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const x of r.rows) {
    lines.push(`| ${x.step} | ${x.idea} | ${fmt(x.intensity, 2)} | ${fmt(x.ms, 2)} | ${fmt(x.gflops, 2)} | ${fmt(x.pctPeak)}% | ${x.speedup === null ? '' : `${x.speedup.toFixed(1)}×`} |`);
  }
  return lines.join('\n');
}

export async function runLadderBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { device: { type: 'string', default: 'both' }, size: { type: 'string' }, reps: { type: 'string', default: '5' }, 'no-write': { type: 'boolean' } },
  });
  const sizeFor = (d: string) => Number(values.size ?? LADDER_DEFAULT_SIZE[d as keyof typeof LADDER_DEFAULT_SIZE] ?? 512);
  const reps = Number(values.reps);
  if ((values.size !== undefined && !(Number.isInteger(Number(values.size)) && Number(values.size) > 0)) || !Number.isInteger(reps) || reps < 1) {
    throw new Error('--size and --reps want positive integers');
  }
  const which = values.device === 'both' ? ['webgpu', 'wasm'] : [values.device!];
  const root = repoRoot();
  const git = gitInfo(root, ['packages', 'benchmarks/src']);
  const date = new Date().toISOString().slice(0, 10);
  const results: LadderResult[] = [];
  for (const d of which) {
    const size = sizeFor(d);
    if (d === 'webgpu') {
      process.env.XDG_RUNTIME_DIR ??= '/tmp';
      const gpu = await createWebGpuDevice();
      process.stderr.write(`ladder on ${gpu.name}\n`);
      const { peak, bandwidth } = await gpuPeak(gpu, reps);
      const rows = await ladderRows(gpu, WGSL_LADDER, size, reps, () => peak, () => gpu.sync());
      results.push({ device: 'webgpu', description: gpu.name, size, date, commit: git.commit + (git.dirty ? ' (uncommitted changes)' : ''), load: loadavg(), peak: { all: peak }, bandwidth, rows });
      gpu.destroy();
    } else if (d === 'wasm') {
      // The one-thread steps and peak on a one-thread device, timed by CPU time (the scheduler's
      // share of a loaded machine does not count; no idle workers spinning into the figure); the
      // threaded step and peak on every core, by the wall clock (what the cores give together).
      const one = await createWasmDevice({ threads: 1 });
      const all = await createWasmDevice();
      process.stderr.write(`ladder on wasm (1 and ${all.threads} threads)\n`);
      const peakOne = measureWasmPeak(one, cpuMs).oneThread;
      // Every core's peak: threads × one core's (the wall-clock rate of all threads measures the
      // other tenants of a shared machine as much as the cores).
      const peakAll = peakOne * all.threads;
      const bandwidth = wasmBandwidth(all, reps);
      const threaded = WASM_LADDER.filter((s) => s.name === 'threads');
      const rows = [
        ...(await ladderRows(one, WASM_LADDER.filter((s) => !threaded.includes(s)), size, reps, () => peakOne, async () => {}, () => cpuMs)),
        ...(await ladderRows(all, threaded, size, reps, () => peakAll, async () => {})),
      ];
      rows.forEach((r, i) => (r.speedup = i ? r.gflops / rows[i - 1]!.gflops : null));
      results.push({ device: 'wasm', description: `${cpus()[0]?.model ?? 'cpu'}, ${all.threads} threads`, size, date, commit: git.commit, load: loadavg(), peak: { oneThread: peakOne, all: peakAll, threads: all.threads }, bandwidth, rows });
      one.destroy();
      all.destroy();
    } else {
      throw new Error(`--device wants webgpu, wasm or both, got '${d}'`);
    }
  }
  for (const r of results) {
    process.stdout.write(`${ladderTable(r)}\n\n`);
    if (!values['no-write']) {
      const dir = join(root, 'benchmarks', 'results');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `ladder-${r.device}-${r.date}.json`);
      writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  return 0;
}
