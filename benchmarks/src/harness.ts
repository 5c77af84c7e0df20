/**
 * The benchmark harness: a bench is a list of cases, each case knows how to set itself up for
 * saddle (on any saddle Device) and for TensorFlow.js (on whichever tfjs backend is active), and
 * the harness times every runner on every case, interleaved, warmed up, several repetitions.
 *
 * Timing: one repetition is the wall time around `iters` back-to-back calls of the case's `run()`,
 * ended by the runner's `sync()` (a device sync on WebGPU: the time until the queue is idle; a
 * no-op on the CPU, where the work is synchronous). The per-iteration time is that wall time
 * divided by `iters`; `iters` is calibrated per runner and case so that a rep lasts at least
 * `minRepMs`, which amortizes the sync's latency over many kernel launches.
 *
 * Interleaving: rep r runs every runner once, the runners' order rotated by r, so a slow phase of
 * the machine (another process, thermal state) hits all runners alike, and rep r of one runner can
 * be paired with rep r of another for a ratio with a spread.
 *
 * Budget: a runner may spend `budgetMs` on one case. A runner whose predicted (from its throughput
 * on the bench's earlier cases) or measured iteration time cannot fit `minReps` reps in that budget
 * is skipped for the case, with the reason recorded; between those bounds its rep count is cut to
 * fit. This keeps big sizes feasible on slow adapters (lavapipe is a CPU) and says so in the output.
 */
import type { Device } from '@saddle/tensor';
import type * as TF from '@tensorflow/tfjs-core';
import { summarize, pairedRatios, type Summary } from './stats.js';

export type RunnerId =
  | 'saddle-webgpu'
  | 'tfjs-webgpu'
  | 'saddle-wasm'
  | 'saddle-wasm-1t'
  | 'saddle-wasm-simd128'
  | 'torch-cpu'
  | 'torch-cpu-1t'
  | 'tfjs-wasm'
  | 'tfjs-cpu'
  | 'saddle-cpu';
/** Every runner, in the order of the tables (the first that runs a case is the others' reference). */
export const ALL_RUNNERS: readonly RunnerId[] = [
  'saddle-webgpu',
  'tfjs-webgpu',
  'saddle-wasm',
  'saddle-wasm-1t',
  'saddle-wasm-simd128',
  'torch-cpu',
  'torch-cpu-1t',
  'tfjs-wasm',
  'tfjs-cpu',
  'saddle-cpu',
];
/** The runners a bench runs when none are named: all but the one-thread ones (`--runners` adds them). */
export const DEFAULT_RUNNERS: readonly RunnerId[] = ALL_RUNNERS.filter((id) => !id.endsWith('-1t'));

/**
 * Whether an error says the op has no kernel on the runner's device yet (the wording of
 * @saddle/ops's asGpu: "... has no wasm kernel yet ..."): such a case is skipped, not failed.
 */
export function isNotPorted(e: unknown): boolean {
  return e instanceof Error && / has no \w+ kernel yet/.test(e.message);
}

/** One case, set up for one runner: its inputs are resident where the runner computes. */
export interface Instance {
  /** One iteration: issues the work (on WebGPU it is recorded/submitted, not waited for). */
  run(): void;
  /** One result, read back to the CPU, for the cross-runner check (not timed). */
  output?(): Promise<Float32Array>;
  /** Extra per-iteration figures of the measured reps (e.g. where the time went), written to the JSON. */
  profile?(): Record<string, number>;
  dispose(): void;
}

/** What a saddle runner hands a case's setup: the device its tensors go to (WebGPU or the CPU). */
export interface SaddleCtx {
  device: Device;
}
/** What a tfjs runner hands a case's setup: tfjs-core, with the runner's backend active. */
export interface TfCtx {
  tf: typeof TF;
  backend: string;
}
/** What a case's setup sends a torch runner's Python process: plain JSON, arrays as base64 float32 (torch-runner.ts's f32). */
export type TorchCaseSpec = { kind: 'matmul' | 'gan' } & Record<string, unknown>;
/** What a torch runner hands a case's setup: a way to build the case in its Python process (torch-runner.ts). */
export interface TorchCtx {
  /** Sends the case; the instance runs it there. `outputOf` turns the process's check output into the case's. */
  instance: (spec: TorchCaseSpec, outputOf?: (raw: Float32Array) => Float32Array | Promise<Float32Array>) => Instance;
}

export interface BenchCase {
  /** Row label in tables and charts, e.g. '1024x1024x1024' or 'gan dW 784x100x1200 (Aᵀ)'. */
  label: string;
  /** Free-form parameters, written to the JSON. */
  params: Record<string, number | string | boolean>;
  /** Floating-point operations in one iteration (for GFLOP/s), or bytes moved (for GB/s). */
  flops?: number;
  bytes?: number;
  /** Largest tolerated |x − ref| / max(1, max|ref|) between runners' outputs (or of `compare`'s measure). */
  tolerance?: number;
  /**
   * The check's measure of disagreement between an output and the reference runner's, when
   * `relativeError` is not the right one (random draws: no two libraries share bits, so their
   * outputs are statistics of the draws and this returns the largest z-score of their difference).
   */
  compare?: (x: Float32Array, ref: Float32Array) => number;
  saddle?: (ctx: SaddleCtx) => Instance;
  tfjs?: (ctx: TfCtx) => Instance;
  torch?: (ctx: TorchCtx) => Instance;
}

/** A runner: one library on one backend. */
export interface Runner {
  id: RunnerId;
  library: 'saddle' | 'tfjs' | 'torch';
  /** Where it computes: 'gpu' (a WebGPU adapter, possibly a software one) or 'cpu'. */
  where: 'gpu' | 'cpu';
  description: string;
  /** Makes this runner current (tfjs: setBackend). Called before setup and before each rep; not timed. */
  activate(): Promise<void>;
  /** Sets a case up for this runner. */
  setup(c: BenchCase): Instance;
  /** Ends a timed rep: resolves once all work issued so far has finished. */
  sync(): Promise<void>;
}

export interface HarnessOptions {
  reps: number;
  warmup: number;
  /** A rep lasts at least this long (iterations are calibrated to it). */
  minRepMs: number;
  /** At most this many iterations per rep. */
  maxIters: number;
  /** Time a runner may spend on one case, calibration included. */
  budgetMs: number;
  /** Fewest measured reps a runner may run on a case; below that it is skipped. */
  minReps: number;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
  /** A clock, in milliseconds (performance.now by default). */
  now?: () => number;
}

export const DEFAULT_OPTIONS: HarnessOptions = {
  reps: 10,
  warmup: 2,
  minRepMs: 100,
  maxIters: 2000,
  budgetMs: 10_000,
  minReps: 3,
};

export interface RunnerResultOk {
  status: 'ok';
  /** Per-iteration wall time of each measured rep, in ms, in rep order. */
  samplesMs: number[];
  ms: Summary;
  iters: number;
  reps: number;
  warmup: number;
  /** The first call (pipeline compilation, uploads), in ms. */
  firstMs: number;
  /** Throughput from the median time, and the range from the slowest / fastest rep (GFLOP/s or GB/s). */
  rate?: { median: number; min: number; max: number; unit: 'GFLOP/s' | 'GB/s' };
  /** The cross-runner check: max |x − ref| / max(1, max|ref|) (or the case's `compare`) against the reference runner. */
  check?: { against: RunnerId; relErr: number; ok: boolean };
  /** The instance's own profile (Instance.profile), when it has one. */
  profile?: Record<string, number>;
}
export interface RunnerResultSkipped {
  status: 'skipped' | 'failed';
  reason: string;
}
export type RunnerResult = RunnerResultOk | RunnerResultSkipped;

/**
 * `subject` throughput ÷ `baseline` throughput (= baseline time ÷ subject time): > 1 means the
 * subject is faster. Rep r of one runner ran right after (or before) rep r of the other, so the
 * per-rep ratios are paired samples taken under the same momentary load of the machine.
 */
export interface RatioResult {
  subject: RunnerId;
  baseline: RunnerId;
  /** The median of the paired per-rep ratios (the headline figure). */
  value: number;
  /** The ratio of the two runners' median times, over all their reps. */
  ofMedians: number;
  /** Spread of the paired per-rep ratios (over the reps both runners ran). */
  paired: Summary;
}

export interface CaseResult {
  label: string;
  params: Record<string, number | string | boolean>;
  flops?: number;
  bytes?: number;
  runners: Partial<Record<RunnerId, RunnerResult>>;
  ratios: RatioResult[];
}

export interface Bench {
  name: string;
  title: string;
  description: string;
  /** Pairs [subject, baseline] reported as ratios; the first is the headline (charted first). */
  ratios: [RunnerId, RunnerId][];
  cases: BenchCase[];
}

/** Throughput in the case's unit, for a per-iteration time in ms. */
export function rateOf(c: Pick<BenchCase, 'flops' | 'bytes'>, ms: number): number | undefined {
  if (c.flops) return c.flops / (ms * 1e-3) / 1e9;
  if (c.bytes) return c.bytes / (ms * 1e-3) / 1e9;
  return undefined;
}

function work(c: BenchCase): number | undefined {
  return c.flops ?? c.bytes;
}

/** max |x − ref| / max(1, max |ref|); Infinity when lengths differ or a value is not finite where ref is. */
export function relativeError(x: Float32Array, ref: Float32Array): number {
  if (x.length !== ref.length) return Infinity;
  let maxRef = 1;
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    // i < ref.length === x.length
    const r = ref[i]!;
    const xi = x[i]!;
    const d = Math.abs(xi - r);
    if (Number.isNaN(d)) {
      if (!(Number.isNaN(xi) && Number.isNaN(r))) return Infinity;
      continue;
    }
    if (Math.abs(r) > maxRef) maxRef = Math.abs(r);
    if (d > maxDiff) maxDiff = d;
  }
  return maxDiff / maxRef;
}

interface Active {
  runner: Runner;
  inst: Instance;
  iters: number;
  reps: number;
  warmup: number;
  firstMs: number;
  samples: number[];
}

/**
 * Runs every case of `bench` on every runner. `rates` carries each runner's last throughput
 * (work per ms) across cases, for predicting whether the next case fits the budget.
 */
export async function runBench(bench: Bench, runners: readonly Runner[], opts: HarnessOptions): Promise<CaseResult[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const rates = new Map<RunnerId, number>();
  const out: CaseResult[] = [];
  for (const c of bench.cases) {
    log(`${bench.name}: ${c.label}`);
    const r = await runCase(c, runners, opts, rates, bench.ratios);
    for (const [id, res] of Object.entries(r.runners)) {
      if (res.status === 'ok') {
        const rate = res.rate ? `${fmt(res.rate.median)} ${res.rate.unit}` : '';
        const prof = res.profile
          ? `  {${Object.entries(res.profile)
              .map(([k, v]) => `${k} ${fmt(v)}`)
              .join(', ')}}`
          : '';
        log(
          `  ${id.padEnd(14)} ${fmt(res.ms.median)} ms/iter [${fmt(res.ms.min)}–${fmt(res.ms.max)}] ${rate}  (${res.reps}×${res.iters})${res.check && !res.check.ok ? `  CHECK FAILED rel.err ${res.check.relErr.toExponential(2)}` : ''}${prof}`,
        );
      } else {
        log(`  ${id.padEnd(14)} ${res.status}: ${res.reason}`);
      }
    }
    for (const q of r.ratios) log(`  ${q.subject} / ${q.baseline}: ${q.value.toFixed(3)}× [${q.paired.min.toFixed(3)}–${q.paired.max.toFixed(3)}]`);
    out.push(r);
  }
  return out;
}

export async function runCase(
  c: BenchCase,
  runners: readonly Runner[],
  opts: HarnessOptions,
  rates: Map<RunnerId, number> = new Map(),
  ratioPairs: [RunnerId, RunnerId][] = [],
): Promise<CaseResult> {
  const now = opts.now ?? (() => performance.now());
  const results: Partial<Record<RunnerId, RunnerResult>> = {};
  const active: Active[] = [];
  let reference: { id: RunnerId; out: Float32Array } | null = null;
  const checks = new Map<RunnerId, NonNullable<RunnerResultOk['check']>>();
  const w = work(c);

  for (const runner of runners) {
    const has = c[runner.library];
    if (!has) {
      results[runner.id] = { status: 'skipped', reason: `no ${runner.library} implementation of this case` };
      continue;
    }
    // Predict from the throughput on earlier cases: the first call, one calibration call, minReps reps.
    const rate = rates.get(runner.id);
    if (rate !== undefined && w !== undefined) {
      const predicted = w / rate;
      if (predicted * (opts.minReps + 2) > opts.budgetMs) {
        results[runner.id] = {
          status: 'skipped',
          reason: `predicted ${fmtMs(predicted)} per iteration from earlier cases; ${opts.minReps} reps do not fit the ${fmtMs(opts.budgetMs)} budget`,
        };
        continue;
      }
    }
    let inst: Instance | null = null;
    try {
      await runner.activate();
      inst = runner.setup(c);
      // First call: compiles pipelines, uploads inputs.
      let t0 = now();
      inst.run();
      await runner.sync();
      const firstMs = now() - t0;
      if (inst.output) {
        const o = await inst.output();
        if (!reference) reference = { id: runner.id, out: o };
        else {
          const relErr = (c.compare ?? relativeError)(o, reference.out);
          const tol = c.tolerance ?? 1e-3;
          checks.set(runner.id, { against: reference.id, relErr, ok: relErr <= tol });
        }
      }
      // Calibrate: one iteration, then enough to reach minRepMs, then the per-iteration time.
      t0 = now();
      inst.run();
      await runner.sync();
      let tIter = Math.max(now() - t0, 1e-3);
      let iters = clampInt(Math.ceil(opts.minRepMs / tIter), 1, opts.maxIters);
      if (iters > 1) {
        t0 = now();
        for (let i = 0; i < iters; i++) inst.run();
        await runner.sync();
        tIter = Math.max((now() - t0) / iters, 1e-6);
        iters = clampInt(Math.ceil(opts.minRepMs / tIter), 1, opts.maxIters);
      }
      const repMs = iters * tIter;
      if ((opts.minReps + 1) * repMs > opts.budgetMs) {
        results[runner.id] = {
          status: 'skipped',
          reason: `${fmtMs(tIter)} per iteration; ${opts.minReps} reps do not fit the ${fmtMs(opts.budgetMs)} budget`,
        };
        if (w !== undefined) rates.set(runner.id, w / tIter);
        inst.dispose();
        continue;
      }
      const fits = Math.floor(opts.budgetMs / repMs);
      const warmup = fits >= opts.warmup + opts.minReps ? opts.warmup : 0;
      const reps = clampInt(fits - warmup, opts.minReps, opts.reps);
      active.push({ runner, inst, iters, reps, warmup, firstMs, samples: [] });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      results[runner.id] = isNotPorted(e) ? { status: 'skipped', reason: `not ported to this device yet (${reason})` } : { status: 'failed', reason };
      try {
        inst?.dispose();
      } catch {
        // already reported
      }
    }
  }

  // Warm-up reps, then measured reps, interleaved with a rotating order.
  const maxWarm = Math.max(0, ...active.map((a) => a.warmup));
  const maxReps = Math.max(0, ...active.map((a) => a.reps));
  const failed = new Set<Active>();
  for (let r = -maxWarm; r < maxReps; r++) {
    const k = active.length === 0 ? 0 : ((r % active.length) + active.length) % active.length;
    const order = [...active.slice(k), ...active.slice(0, k)];
    for (const a of order) {
      if (failed.has(a)) continue;
      if (r < 0 ? -r > a.warmup : r >= a.reps) continue;
      try {
        await a.runner.activate();
        const t0 = now();
        for (let i = 0; i < a.iters; i++) a.inst.run();
        await a.runner.sync();
        const dt = (now() - t0) / a.iters;
        if (r >= 0) a.samples.push(dt);
      } catch (e) {
        failed.add(a);
        results[a.runner.id] = { status: 'failed', reason: e instanceof Error ? e.message : String(e) };
      }
    }
  }

  for (const a of active) {
    let profile: Record<string, number> | undefined;
    try {
      profile = failed.has(a) ? undefined : a.inst.profile?.();
      a.inst.dispose();
    } catch {
      // disposal errors do not change the timings
    }
    if (failed.has(a)) continue;
    const ms = summarize(a.samples);
    const res: RunnerResultOk = {
      status: 'ok',
      samplesMs: a.samples,
      ms,
      iters: a.iters,
      reps: a.reps,
      warmup: a.warmup,
      firstMs: a.firstMs,
    };
    const med = rateOf(c, ms.median);
    if (med !== undefined) {
      res.rate = { median: med, min: rateOf(c, ms.max)!, max: rateOf(c, ms.min)!, unit: c.flops ? 'GFLOP/s' : 'GB/s' };
    }
    const check = checks.get(a.runner.id);
    if (check) res.check = check;
    if (profile) res.profile = profile;
    results[a.runner.id] = res;
    if (w !== undefined) rates.set(a.runner.id, w / ms.median);
  }

  const ratios: RatioResult[] = [];
  for (const [subject, baseline] of ratioPairs) {
    const s = results[subject];
    const b = results[baseline];
    if (s?.status !== 'ok' || b?.status !== 'ok') continue;
    const paired = summarize(pairedRatios(b.samplesMs, s.samplesMs));
    ratios.push({ subject, baseline, value: paired.median, ofMedians: b.ms.median / s.ms.median, paired });
  }
  return { label: c.label, params: c.params, flops: c.flops, bytes: c.bytes, runners: results, ratios };
}

function clampInt(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.floor(x)));
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${fmt(ms)} ms`;
}
