/**
 * Where the time of one GAN training iteration goes on the `wasm` device, by kernel and by part of
 * the step (docs/performance.md, "Where the time goes on wasm").
 *
 *   pnpm exec tsx benchmarks/src/wasm-gan-profile.ts [--preset quick|paper] [--iters 30] [--threads 1]
 *        [--build relaxed-simd|simd128] [--full]
 *
 * `--full` trains the preset as `pnpm gan train` does (the quick preset's lazy R1 step and moving
 * average of G included); without it, the bench's configuration (benchConfig: no R1, no average:
 * what the peers run).
 *
 * Every `device.run(kernel, ...)` of `iters` steady iterations is timed and added up by kernel
 * export and by where the trainer called it (D or G step; forward, backward, optimizer, R1,
 * statistics, noise: from the JavaScript stack, read outside the timed call). On one thread
 * (the default) the clock is the process's CPU time, which a machine shared with other work does
 * not inflate; with more threads it is the wall clock. The iterations are also timed whole,
 * without the per-call timers: the difference between that and the kernels' sum is the
 * JavaScript around them (ops, shape checks, the autograd tape, allocation).
 */
import { parseArgs } from 'node:util';
import { createWasmDevice, type WasmDevice, type WasmKernelArgs, type WasmKernelName } from '@saddle/tensor';
import { GanTrainer, preset, type PresetName } from '@saddle/gan';
import { BENCH_IMAGES, benchConfig, describeConfig, steadyIteration, syntheticImages } from './benches/gan-iteration.js';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    iters: { type: 'string', default: '30' },
    threads: { type: 'string', default: '1' },
    build: { type: 'string' },
    full: { type: 'boolean', default: false },
  },
});
const name = values.preset as PresetName;
const iters = Number(values.iters);
const threads = Number(values.threads);
const config = values.full ? { ...preset(name), valN: 0, trainN: null, seed: 1 } : benchConfig(name);
const device: WasmDevice = await createWasmDevice({ threads, build: values.build as 'relaxed-simd' | 'simd128' | undefined });
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const clock = threads === 1 ? cpuMs : () => performance.now();

function part(stack: string): string {
  const step = /\bdStep\b|simultaneousStep/.test(stack) ? 'D' : /\bgStep\b/.test(stack) ? 'G' : '-';
  let where = 'forward';
  if (/r1|R1|gradientPenalty/.test(stack)) where = 'R1';
  else if (/runBackward|\bbackward\b/.test(stack)) where = 'backward';
  else if (/SGD\.step|sgdMomentum|\.step \(/.test(stack)) where = 'optimizer';
  else if (/[Ee]ma|updateAverage/.test(stack)) where = 'average of G';
  else if (/accumulate[DG]/.test(stack)) where = 'statistics';
  else if (/sample|noise|dropoutMask/i.test(stack)) where = 'noise';
  return `${step} ${where}`;
}

Error.stackTraceLimit = 64;
const trainer = new GanTrainer(config, { images: syntheticImages(BENCH_IMAGES), n: BENCH_IMAGES, d: 784 }, device);
trainer.startEpoch();
for (let i = 0; i < 5; i++) steadyIteration(trainer); // warm: V8 tiers up, the heap's blocks are reused

// Whole iterations, no per-call timers.
let t0 = clock();
for (let i = 0; i < iters; i++) steadyIteration(trainer);
const wholeMs = (clock() - t0) / iters;

// The same iterations with every kernel call timed.
const byKernel = new Map<string, { ms: number; calls: number }>();
const byPart = new Map<string, number>();
const run = device.run.bind(device);
device.run = <K extends WasmKernelName>(kernel: K, args: WasmKernelArgs<K>, work: number) => {
  const s = clock();
  run(kernel, args, work);
  const dt = clock() - s;
  const k = byKernel.get(kernel) ?? { ms: 0, calls: 0 };
  k.ms += dt;
  k.calls++;
  byKernel.set(kernel, k);
  const p = part(new Error().stack ?? '');
  byPart.set(p, (byPart.get(p) ?? 0) + dt);
};
t0 = clock();
for (let i = 0; i < iters; i++) steadyIteration(trainer);
const timedMs = (clock() - t0) / iters;
device.run = run;
trainer.dispose();
device.destroy();

const kernelsMs = [...byKernel.values()].reduce((s, k) => s + k.ms, 0) / iters;
const pct = (ms: number) => `${((100 * ms) / kernelsMs).toFixed(1)}%`;
console.log(
  `${name}${values.full ? ' (full: as pnpm gan trains it)' : ' (bench configuration)'}: ${describeConfig(config)}; ${device.name}; ${threads === 1 ? 'CPU time' : 'wall clock'}, ${iters} iterations`,
);
console.log(
  `iteration ${wholeMs.toFixed(2)} ms (untimed calls); kernels ${kernelsMs.toFixed(2)} ms; JavaScript around them ≈ ${Math.max(0, wholeMs - kernelsMs).toFixed(2)} ms (timed run: ${timedMs.toFixed(2)} ms)`,
);
console.log('\n| kernel | ms / iteration | share of kernels | calls / iteration |\n| --- | ---: | ---: | ---: |');
for (const [k, v] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`| ${k} | ${(v.ms / iters).toFixed(3)} | ${pct(v.ms / iters)} | ${(v.calls / iters).toFixed(1)} |`);
}
console.log('\n| step, part | ms / iteration | share of kernels |\n| --- | ---: | ---: |');
for (const [p, ms] of [...byPart.entries()].sort((a, b) => b[1] - a[1])) console.log(`| ${p} | ${(ms / iters).toFixed(3)} | ${pct(ms / iters)} |`);
