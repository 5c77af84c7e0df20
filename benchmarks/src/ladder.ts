/**
 * `pnpm bench ladder [--device webgpu|wasm|both] [--size N] [--reps N] [--no-write]`: times every
 * step of the matmul ladder (packages/ops/src/ladder) on an N³ product (default
 * LADDER_DEFAULT_SIZE) and measures the roofline of the device at hand with the probes: peak FMA (or f32x4 mul +
 * add) rate and copy bandwidth. Prints a markdown table per device, GFLOP/s and % of the measured
 * peak per step, and writes benchmarks/results/ladder-<device>-<date>.json (-<date>T<hhmm> for a
 * second run on one day; docs/images' roofline
 * is drawn from it by `pnpm figures`).
 *
 * Timing: each step's product is run once to compile and warm up, then `reps` reps of enough calls
 * to last about 0.2 s; the figure is the best rep (on a shared machine the least disturbed). WebGPU
 * reps end with device.sync() and are timed by the wall clock. The wasm steps before `threads` run
 * on one thread, are timed by the process's CPU time and compared with the one-thread peak (also
 * CPU time); `threads` is timed by the wall clock against threads × the one-thread peak. These
 * run the SIMD128 build of the kernels; the last rung, `fma`, runs the relaxed-SIMD build on every
 * core (wall clock, against threads × that build's one-thread peak), or is skipped with the reason
 * printed where the engine lacks relaxed SIMD.
 */
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createWasmDevice, createWebGpuDevice } from '@saddle/tensor';
import { WASM_LADDER, WGSL_LADDER } from '@saddle/ops';
import { measureGpuRoofline, measureWasmBandwidth, measureWasmPeak, timeLadder, type LadderRow } from './roofline.js';
import { repoRoot, gitInfo } from './git.js';

export type { LadderRow };

export interface LadderResult {
  device: 'webgpu' | 'wasm';
  description: string;
  size: number;
  date: string;
  commit: string;
  load: number[];
  /** GFLOP/s: the FMA probe (WebGPU) or f32x4 mul + add probe on one and on all threads (wasm). */
  peak: { oneThread?: number; all: number; threads?: number };
  /** wasm: the probe's GFLOP/s on the relaxed-SIMD build (fused multiply-adds), the `fma` step's peak; absent where the engine lacks relaxed SIMD. */
  relaxedPeak?: { oneThread: number; all: number };
  /** Steps not run, each with the reason (wasm: `fma` on an engine without relaxed SIMD). */
  skipped?: string[];
  /** GB/s, read + written, by the copy probe. */
  bandwidth: number;
  rows: LadderRow[];
}

/** This process's CPU time, ms: on a shared machine, what a one-thread kernel consumed whatever the scheduler did. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const log = (r: LadderRow) => process.stderr.write(`  ${r.step}: ${r.gflops.toFixed(2)} GFLOP/s\n`);

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
  const relaxed = r.relaxedPeak
    ? `; relaxed-simd peak (fused) ${fmt(r.relaxedPeak.oneThread)} on one thread, ${fmt(r.relaxedPeak.all)} on ${r.peak.threads}`
    : '';
  const lines = [
    `${r.device} (${r.description}), ${r.size}³ f32, ${peak}${relaxed}, copy ${fmt(r.bandwidth)} GB/s; load average ${r.load.map((x) => x.toFixed(1)).join(' ')}; ${r.date}, ${r.commit}`,
    '',
    '| step | what it adds | flop/byte | ms | GFLOP/s | % of peak | × previous |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const x of r.rows) {
    lines.push(
      `| ${x.step} | ${x.idea} | ${fmt(x.intensity, 2)} | ${fmt(x.ms, 2)} | ${fmt(x.gflops, 2)} | ${fmt(x.pctPeak)}% | ${x.speedup === null ? '' : `${x.speedup.toFixed(1)}×`} |`,
    );
  }
  for (const why of r.skipped ?? []) lines.push('', why);
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
  const which = values.device === 'both' ? ['webgpu', 'wasm'] : [values.device];
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
      const { peak, bandwidth } = await measureGpuRoofline(gpu, reps);
      const rows = await timeLadder(
        gpu,
        WGSL_LADDER,
        size,
        reps,
        () => peak,
        () => gpu.sync(),
        undefined,
        log,
      );
      results.push({
        device: 'webgpu',
        description: gpu.name,
        size,
        date,
        commit: git.commit + (git.dirty ? ' (uncommitted changes)' : ''),
        load: loadavg(),
        peak: { all: peak },
        bandwidth,
        rows,
      });
      gpu.destroy();
    } else if (d === 'wasm') {
      // The one-thread steps and peak on a one-thread device, timed by CPU time (the scheduler's
      // share of a loaded machine does not count; no idle workers spinning into the figure); the
      // threaded step and peak on every core, by the wall clock (what the cores give together).
      // scalar … threads run the SIMD128 build; `fma`, the last rung, the relaxed-SIMD build (where
      // the engine has it), against that build's own peak (its probe fuses each mul + add).
      const one = await createWasmDevice({ threads: 1, build: 'simd128' });
      const all = await createWasmDevice({ build: 'simd128' });
      process.stderr.write(`ladder on wasm (1 and ${all.threads} threads, simd128, then relaxed-simd for fma)\n`);
      const peakOne = measureWasmPeak(one, cpuMs).oneThread;
      // Every core's peak: threads × one core's (the wall-clock rate of all threads measures the
      // other tenants of a shared machine as much as the cores).
      const peakAll = peakOne * all.threads;
      const bandwidth = measureWasmBandwidth(all, reps);
      const threaded = WASM_LADDER.filter((s) => s.name === 'threads');
      const relaxedSteps = WASM_LADDER.filter((s) => s.build === 'relaxed-simd');
      const simdSteps = WASM_LADDER.filter((s) => !threaded.includes(s) && !relaxedSteps.includes(s));
      const rows = [
        ...(await timeLadder(
          one,
          simdSteps,
          size,
          reps,
          () => peakOne,
          async () => {},
          () => cpuMs,
          log,
        )),
        ...(await timeLadder(
          all,
          threaded,
          size,
          reps,
          () => peakAll,
          async () => {},
          undefined,
          log,
        )),
      ];
      let relaxedPeak: LadderResult['relaxedPeak'];
      const skipped: string[] = [];
      // An engine without relaxed SIMD refuses the build (a SaddleError saying why): fma is skipped.
      const fmaDevice = await createWasmDevice({ build: 'relaxed-simd' }).catch((e: Error) => e);
      if (fmaDevice instanceof Error) {
        const why = `${relaxedSteps.map((s) => s.name).join(', ')} skipped: ${fmaDevice.message}`;
        skipped.push(why);
        process.stderr.write(`  ${why}\n`);
      } else {
        const fmaOneDevice = await createWasmDevice({ threads: 1, build: 'relaxed-simd' });
        const fmaOne = measureWasmPeak(fmaOneDevice, cpuMs).oneThread;
        fmaOneDevice.destroy();
        relaxedPeak = { oneThread: fmaOne, all: fmaOne * fmaDevice.threads };
        rows.push(
          ...(await timeLadder(
            fmaDevice,
            relaxedSteps,
            size,
            reps,
            () => relaxedPeak!.all,
            async () => {},
            undefined,
            log,
          )),
        );
        fmaDevice.destroy();
      }
      rows.forEach((r, i) => (r.speedup = i ? r.gflops / rows[i - 1]!.gflops : null));
      results.push({
        device: 'wasm',
        description: `${cpus()[0]?.model ?? 'cpu'}, ${all.threads} threads, ${one.build} (${relaxedSteps.map((s) => s.name).join(', ')}: relaxed-simd)`,
        size,
        date,
        commit: git.commit,
        load: loadavg(),
        peak: { oneThread: peakOne, all: peakAll, threads: all.threads },
        relaxedPeak,
        skipped,
        bandwidth,
        rows,
      });
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
      // A second run on the same day keeps the first record: the time is added (sorting after it, so `pnpm figures` takes the newest).
      const day = join(dir, `ladder-${r.device}-${r.date}.json`);
      const file = existsSync(day) ? join(dir, `ladder-${r.device}-${new Date().toISOString().slice(0, 16).replace(':', '')}.json`) : day;
      writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  return 0;
}
