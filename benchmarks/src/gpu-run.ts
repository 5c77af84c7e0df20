/**
 * The GPU host's one command (issue 14): `node .gpu/app.mjs all --out "$OUT" [--minutes 7.5]`
 * (benchmarks/gpu-run.sh wraps it). In one process, inside one time budget, it
 *
 *   1. runs the matmul bench (square sizes and the GAN's shapes) on saddle-webgpu and tfjs-webgpu,
 *      sharing one GPUDevice: a fixed share of the budget, spread over the cases;
 *   2. runs the GAN iteration bench (paper and quick presets) on the same two runners: a fixed share;
 *   3. trains the paper's configuration on MNIST until a deadline that leaves time for
 *   4. the full Table 1 protocol (10 000 samples, sigma cross-validated on 1000 validation images,
 *      all 10 000 test images), and writes the run's record, its samples and its curves;
 *   between 2 and 3, the f16 phase (a fixed share): on a device opened with Dawn's
 *      allow_unsafe_apis and vulkan_enable_f16_on_nvidia toggles (which expose shader-f16 and
 *      chromium-experimental-subgroup-matrix on NVIDIA), square products in f32 (tiled), f16 storage
 *      (tiled) and f16 on the matrix units (subgroup matrices, where the adapter has them), each
 *      checked against the others before it is timed.
 *
 * Files under --out (at most 8, since the host returns only a few): matmul-<device>-<date>.json,
 * gan-<device>-<date>.json (render them with `pnpm bench report`), gan-train-<device>-<run>.json
 * (the record, as record-gan-run.ts writes it, per-epoch figures and Parzen included), samples.png,
 * curves.svg, f16-matmul-<device>-<date>.json, plan.json (the budget split, the adapter, each phase's start, end and outcome; written
 * after every phase, so a run killed by the host's timeout still says how far it got), and run.log
 * (written by gpu-run.sh from stdout and stderr).
 *
 * `--rehearse` is the same path with small sizes and short budgets, for a software adapter
 * (lavapipe): square 64 and 128, 2000 training images (20 iterations per epoch), V(D, G) on 500
 * validation images, Parzen on 1000
 * samples and 1000 test images. Nothing else differs, so the GPU run is not the first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileAtomic, writeJsonAtomic } from '@saddle/nn';
// @saddle/gan's Node entry (its index exports no CLI module: src/cli/'s "am I the entry point?"
// test never runs in the bundle).
import {
  GanTrainer,
  MNIST_PIXELS,
  curvesFigure,
  loadMnist,
  preset,
  samplesFigure,
  table1Parzen,
  validateConfig,
  type EpochRecord,
  type GanConfig,
  type PresetName,
} from '@saddle/gan';
import { main as benchMain } from './main.js';
import { GAN_SHAPES } from './benches/matmul.js';
import { GAN_PRESETS } from './benches/gan-iteration.js';
import { adapterKind, ganRunRecord, type ParzenFile } from './gan-run-record.js';
import { deviceSlug, openGpu } from './runners.js';
import { f16Matmul } from './f16-matmul.js';
import { gitInfo, repoRoot } from './git.js';

export const ALL_USAGE = `usage: node .gpu/app.mjs all --out DIR [options]   (or: tsx benchmarks/src/gpu-entry.ts all ...)

  --out DIR             where the files go (required; at most 8 files)
  --minutes X           the whole command's budget (default 7.5)
  --rehearse            small sizes and short budgets (a software adapter)
  --matmul-seconds S    the matmul bench's share (default 100; rehearse 40)
  --gan-seconds S       the GAN iteration bench's share (default 45; rehearse 70)
  --f16-seconds S       the f16 / subgroup-matrix matmul phase's share (default 40; rehearse 40)
  --reserve-seconds S   kept after training for Parzen, figures and the record (default 60; rehearse 100)
  --sizes a,b,...       square matmul sizes (default 1024,2048,4096,8192; rehearse 64,128)
  --preset NAME         trained configuration (default paper)
  --train-n N           training images (default all 50 000; rehearse 2000)
  --parzen-n N          samples for Parzen (default 10 000; rehearse 1000)
  --test-n N            test images scored (default 10 000; rehearse 1000)
  --skip-bench          train and evaluate only
  --commit SHA          the commit (default: .gpu/COMMIT beside the bundle, else git)
  --dawn-flag FLAG      passed to Dawn's create() (repeatable)
`;

/** The budget split and the sizes of one run. */
export interface AllPlan {
  minutes: number;
  rehearse: boolean;
  matmulSeconds: number;
  ganSeconds: number;
  f16Seconds: number;
  reserveSeconds: number;
  sizes: number[];
  preset: PresetName;
  trainN: number | null;
  parzenN: number;
  testN: number;
  skipBench: boolean;
  dawnFlags: string[];
}

const RUNNERS = ['saddle-webgpu', 'tfjs-webgpu'] as const;

function positive(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new Error(`all: --${name} wants a positive number, got '${v}'`);
  return x;
}

/** The plan from the command line (exported for the test of the budget arithmetic). */
export function planFromArgs(argv: string[]): { plan: AllPlan; out: string; commit?: string } {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      out: { type: 'string' },
      minutes: { type: 'string' },
      rehearse: { type: 'boolean' },
      'matmul-seconds': { type: 'string' },
      'gan-seconds': { type: 'string' },
      'f16-seconds': { type: 'string' },
      'reserve-seconds': { type: 'string' },
      sizes: { type: 'string' },
      preset: { type: 'string' },
      'train-n': { type: 'string' },
      'parzen-n': { type: 'string' },
      'test-n': { type: 'string' },
      'skip-bench': { type: 'boolean' },
      commit: { type: 'string' },
      'dawn-flag': { type: 'string', multiple: true },
    },
  });
  if (!values.out) throw new Error('all: --out DIR is required (the host returns the files written under $OUT)');
  const r = Boolean(values.rehearse);
  const plan: AllPlan = {
    minutes: positive(values.minutes, 'minutes', 7.5),
    rehearse: r,
    matmulSeconds: positive(values['matmul-seconds'], 'matmul-seconds', r ? 40 : 100),
    ganSeconds: positive(values['gan-seconds'], 'gan-seconds', r ? 70 : 45),
    f16Seconds: positive(values['f16-seconds'], 'f16-seconds', 40),
    reserveSeconds: positive(values['reserve-seconds'], 'reserve-seconds', r ? 100 : 60),
    sizes: (values.sizes ?? (r ? '64,128' : '1024,2048,4096,8192')).split(',').map((s) => Math.round(positive(s, 'sizes', 1))),
    preset: (values.preset ?? 'paper') as PresetName,
    trainN: values['train-n'] ? Math.round(positive(values['train-n'], 'train-n', 1)) : r ? 2000 : null,
    parzenN: Math.round(positive(values['parzen-n'], 'parzen-n', r ? 1000 : 10_000)),
    testN: Math.round(positive(values['test-n'], 'test-n', r ? 1000 : 10_000)),
    skipBench: Boolean(values['skip-bench']),
    dawnFlags: values['dawn-flag'] ?? [],
  };
  const benchSeconds = plan.skipBench ? 0 : plan.matmulSeconds + plan.ganSeconds + plan.f16Seconds;
  if (benchSeconds + plan.reserveSeconds >= plan.minutes * 60) {
    throw new Error(`all: the benches (${benchSeconds} s) and the reserve (${plan.reserveSeconds} s) leave no training time in ${plan.minutes} min`);
  }
  return { plan, out: resolve(values.out), commit: values.commit };
}

/**
 * Seconds each runner may spend on one case so that a bench of `cases` cases on `runners` runners
 * stays within `seconds` (the harness's --budget is per runner and case; calibration included).
 */
export function perCaseBudget(seconds: number, cases: number, runners: number): number {
  return Math.max(0.5, seconds / (cases * runners));
}

/** The commit the bundle was built at (gpu-bundle writes .gpu/COMMIT), else git's. */
function commitOf(override: string | undefined): { commit: string; dirty: boolean | null } {
  if (override) return { commit: override, dirty: null };
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, 'COMMIT');
  if (existsSync(file)) {
    const [commit, state] = readFileSync(file, 'utf8').trim().split(/\s+/);
    return { commit: commit!, dirty: state === 'dirty' ? true : state === 'clean' ? false : null };
  }
  return gitInfo(repoRoot(), ['packages', 'benchmarks/src']);
}

interface Phase {
  name: string;
  startedAt: number;
  endedAt?: number;
  outcome?: string;
}

function log(line: string): void {
  process.stderr.write(`[all ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function epochLine(r: EpochRecord): string {
  const f = (v: number | null) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(3));
  return (
    `epoch ${r.epoch}${r.partial ? ' (partial)' : ''}: ${r.iterations} it, ${r.msPerIteration.toFixed(2)} ms/it | D ${f(r.dLoss)} G ${f(r.gLoss)} | ` +
    `D(x) ${f(r.dReal)} D(G(z)) ${f(r.dFake)} | V valid ${f(r.value)}`
  );
}

export async function runAll(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const { plan, out, commit: commitFlag } = planFromArgs(argv);
  const { commit, dirty } = commitOf(commitFlag);
  const elapsed = () => (performance.now() - t0) / 1000;
  const budget = plan.minutes * 60;
  const phases: Phase[] = [];
  const state: Record<string, unknown> = { what: "benchmarks/src/gpu-run.ts: the GPU host's one command (issue 14)", commit, dirty, plan, phases };
  const savePlan = () => writeJsonAtomic(join(out, 'plan.json'), { ...state, elapsedSeconds: Math.round(elapsed() * 10) / 10 });
  const phase = async <T>(name: string, fn: () => Promise<T>, outcome: (x: T) => string): Promise<T | null> => {
    const p: Phase = { name, startedAt: Math.round(elapsed() * 10) / 10 };
    phases.push(p);
    log(`${name}: start at ${p.startedAt} s of ${budget} s`);
    await savePlan();
    try {
      const x = await fn();
      p.outcome = outcome(x);
      return x;
    } catch (e) {
      p.outcome = `failed: ${e instanceof Error ? e.message : String(e)}`;
      log(`${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return null;
    } finally {
      p.endedAt = Math.round(elapsed() * 10) / 10;
      log(`${name}: ${p.outcome} (${(p.endedAt - p.startedAt).toFixed(1)} s)`);
      await savePlan();
    }
  };
  let exit = 0;
  const common = [
    '--out',
    out,
    '--no-docs',
    '--json-only',
    '--runners',
    RUNNERS.join(','),
    '--commit',
    commit,
    ...plan.dawnFlags.flatMap((f) => ['--dawn-flag', f]),
  ];
  if (plan.rehearse) common.push('--note', 'Rehearsal of the GPU host command (gpu-run.ts --rehearse): small sizes, short budgets.');

  // 1 and 2: the benches, each within its share (the harness's budget is per runner and case).
  if (!plan.skipBench) {
    const matmulCases = plan.sizes.length + GAN_SHAPES.length;
    const mm = perCaseBudget(plan.matmulSeconds, matmulCases, RUNNERS.length);
    const code = await phase(
      'matmul bench',
      () => benchMain(['matmul', '--sizes', plan.sizes.join(','), '--budget', mm.toFixed(2), '--reps', '8', ...common], { docs: false }),
      (c) => `exit ${c}`,
    );
    if (code !== 0) exit = 1;
    const gb = perCaseBudget(plan.ganSeconds, GAN_PRESETS.length, RUNNERS.length);
    const code2 = await phase(
      'gan bench',
      () => benchMain(['gan', '--budget', gb.toFixed(2), '--reps', '8', ...common], { docs: false }),
      (c) => `exit ${c}`,
    );
    if (code2 !== 0) exit = 1;
    const f16 = await phase(
      'f16 matmul',
      () => f16Matmul(plan, out, commit, performance.now() + plan.f16Seconds * 1000),
      (r) => r,
    );
    if (f16 === null || f16.startsWith('CHECK FAILED')) exit = 1;
  }

  // 3 and 4: train until the deadline, then Table 1.
  const trained = await phase(
    'train + Table 1',
    () => trainAndEvaluate(plan, out, { commit, dirty, deadlineMs: t0 + (budget - plan.reserveSeconds) * 1000, log, state }),
    (r) => r,
  );
  if (trained === null) exit = 1;
  state.totalSeconds = Math.round(elapsed() * 10) / 10;
  await savePlan();
  log(`done in ${elapsed().toFixed(1)} s (budget ${budget} s), exit ${exit}`);
  return exit;
}

interface TrainContext {
  commit: string;
  dirty: boolean | null;
  /** performance.now() at which training stops (between two iterations). */
  deadlineMs: number;
  log: (line: string) => void;
  state: Record<string, unknown>;
}

async function trainAndEvaluate(plan: AllPlan, out: string, ctx: TrainContext): Promise<string> {
  const gpu = await openGpu(plan.dawnFlags);
  const device = gpu.saddle;
  const slug = deviceSlug(gpu.info);
  ctx.state.adapter = gpu.info;
  try {
    const mnist = await loadMnist();
    const base = preset(plan.preset);
    // The rehearsal scores V(D, G) on 500 validation images per epoch, not the preset's 10 000.
    const config: GanConfig = validateConfig({ ...base, minutes: null, trainN: plan.trainN, valN: plan.rehearse ? Math.min(base.valN, 500) : base.valN });
    const train = { images: mnist.train.images, n: mnist.train.n, d: MNIST_PIXELS };
    const validation = { images: mnist.validation.images, n: mnist.validation.n, d: MNIST_PIXELS };
    const trainer = new GanTrainer(config, train, device, validation);
    const startedAt = new Date();
    const run = `${config.preset}-${startedAt.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
    const meta = {
      preset: config.preset,
      presetReason: 'the paper configuration (gpu-run.ts)',
      device: device.name,
      deviceKind: device.kind,
      softwareAdapter: gpu.info.software,
      config,
    };
    const recordFile = join(out, `gan-train-${gpu.info.software ? adapterKind(meta) : slug}-${run}.json`);
    try {
      const shouldStop = () => performance.now() >= ctx.deadlineMs;
      ctx.log(
        `training ${config.preset} on ${device.name}: ${trainer.iterationsPerEpoch} iterations per epoch, until ${((ctx.deadlineMs - performance.now()) / 1000).toFixed(0)} s from now`,
      );
      let stoppedInEpoch = false;
      while (trainer.epoch < config.epochs && !shouldStop()) {
        const rec = await trainer.runEpoch({ shouldStop });
        if (!rec) {
          stoppedInEpoch = true;
          break;
        }
        ctx.log(epochLine(rec));
      }
      const history = [...trainer.history];
      if (stoppedInEpoch) {
        const partial = await trainer.partialRecord();
        if (partial) {
          history.push(partial);
          ctx.log(epochLine(partial));
        }
      }
      await writeFileAtomic(join(out, 'samples.png'), await samplesFigure(trainer));
      await writeFileAtomic(join(out, 'curves.svg'), curvesFigure(history, `GAN on MNIST (${config.preset}, ${slug})`));
      const record = (parzen: ParzenFile | null) =>
        ganRunRecord({
          what: 'the paper configuration trained by the GPU host command (benchmarks/src/gpu-run.ts' + (plan.rehearse ? ', rehearsal' : '') + ')',
          run,
          meta,
          epochs: history,
          parzen,
          commit: ctx.commit,
          dirty: ctx.dirty,
          note: plan.rehearse ? `rehearsal: ${plan.trainN ?? 'all'} training images, Parzen on ${plan.parzenN} samples and ${plan.testN} test images` : null,
        });
      // The record without Parzen first: if the host's timeout ends the command during the
      // evaluation, the training's figures still come back.
      await writeJsonAtomic(recordFile, record(null));

      const t = performance.now();
      const r = await table1Parzen(trainer.sampler, config.zDist, mnist, device, { n: plan.parzenN, seed: config.seed, testN: plan.testN });
      const parzen: ParzenFile = {
        mean: r.mean,
        stdErr: r.stdErr,
        sigma: r.sigma,
        samples: plan.parzenN,
        testImages: Math.min(plan.testN, mnist.test.n),
        validationImages: 1000,
        seconds: (performance.now() - t) / 1000,
      };
      ctx.log(`Parzen: ${r.mean.toFixed(1)} ± ${r.stdErr.toFixed(1)} (sigma ${r.sigma.toPrecision(3)}, ${parzen.seconds.toFixed(1)} s; paper 225 ± 2)`);
      const final = record(parzen);
      await writeJsonAtomic(recordFile, final);
      return `${final.iterations} iterations in ${final.trainingSeconds} s (${final.msPerIteration} ms/it), Parzen ${r.mean.toFixed(1)} ± ${r.stdErr.toFixed(1)}; ${recordFile}`;
    } finally {
      trainer.dispose();
    }
  } finally {
    device.destroy();
    gpu.device.destroy();
  }
}
