/**
 * The GAN command line (`pnpm gan <command>`):
 *
 *   gan train [options]                train (or, with --resume RUN, continue) and write a run folder
 *   gan eval RUN [options]             Parzen-window log-likelihood of the test set (Table 1 protocol)
 *   gan sample RUN --n N --out FILE    N samples as raw little-endian float32, N x 784
 *
 * `gan train` with no flags trains on the best device found: the paper's configuration on a GPU,
 * the `quick` preset (9 minutes) on the CPU or a software WebGPU adapter (lavapipe, SwiftShader).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { Generator, SaddleError, fromArray, isWebGpu, lastAutoChoice, useDevice, type Device, type Tensor } from '@saddle/autograd';
import { loadMnist, MNIST_PIXELS, type Mnist } from './data/mnist.js';
import { writeFileAtomic, writeJsonAtomic } from './io/atomic.js';
import { curvesFigure, float32LittleEndian, interpolationFigure, nearestFigure, samplesFigure } from './figures.js';
import { GENERATOR_LOSSES, type GeneratorLossKind } from './losses.js';
import { GeneratorNet, generateSamples } from './models.js';
import { parzenEvaluate } from './metrics/parzen.js';
import { PRESET_NAMES, UPDATE_MODES, Z_DISTS, preset, validateConfig, type GanConfig, type PresetName, type UpdateMode, type ZDist } from './presets.js';
import {
  RUN_FILES,
  defaultRunName,
  ensureRunDir,
  loadCheckpoint,
  resolveRunDir,
  saveCheckpoint,
  writeConfig,
  writeMetrics,
  withPrefix,
  writeRunFile,
} from './run-folder.js';
import { GanTrainer, type EpochRecord, type ProgressInfo } from './trainer.js';
import { deriveSeed } from './train/rng.js';

/** A usage error: bad command, flag or value. The message says which and what was expected. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Where the CLI writes (tests capture it). */
export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Draw a progress bar (default: when stderr is a terminal). */
  progress?: boolean;
}

const defaultIO: CliIO = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

export const USAGE = `Usage: pnpm gan <command> [options]

Commands:
  train                    train the GAN of Goodfellow et al. (2014) on MNIST; writes runs/<name>/
  eval RUN                 Parzen-window log-likelihood of the MNIST test set under RUN's generator
  sample RUN --n N --out FILE
                           N samples as raw little-endian float32 (N x 784)
  help                     this text

train options (defaults: the preset's):
  --preset paper|quick|tiny  paper: the authors' configuration; quick: narrow networks and a time
                           budget, for machines without a GPU; tiny: for tests.
                           Default: paper on a GPU, quick on the CPU or a software adapter
  --device auto|cpu|webgpu|wasm  default auto (a hardware GPU; else the faster of wasm and a
                           software WebGPU adapter, measured)
  --epochs N  --batch N  --k N  --lr X  --minutes X  --seed N
  --z-dist uniform|gaussian  --update alternating|simultaneous  --g-loss non-saturating|saturating
  --log-every N            read the statistics back every N iterations (progress bar)
  --train-n N  --val-n N   use the first N training / validation images
  --parzen-every N         Parzen estimate every N epochs (slow; default 0: never)
  --out DIR                the run folder (default runs/<preset>-<date>-<time>)
  --resume RUN             continue RUN (a folder, or a name under runs/) exactly where it stopped;
                           --epochs, --minutes, --log-every, --device may be given
  --no-progress            no progress bar

eval options:  --n N (samples, 10000)  --seed N  --sigma X (skip the cross-validation)
               --test-n N (test images, 10000)  --device auto|cpu|webgpu|wasm
sample options: --n N  --out FILE  --seed N  --device auto|cpu|webgpu|wasm`;

const TRAIN_FLAGS = {
  preset: { type: 'string' },
  device: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  k: { type: 'string' },
  lr: { type: 'string' },
  minutes: { type: 'string' },
  seed: { type: 'string' },
  'z-dist': { type: 'string' },
  update: { type: 'string' },
  'g-loss': { type: 'string' },
  'log-every': { type: 'string' },
  'train-n': { type: 'string' },
  'val-n': { type: 'string' },
  'parzen-every': { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const EVAL_FLAGS = {
  n: { type: 'string' },
  seed: { type: 'string' },
  sigma: { type: 'string' },
  'test-n': { type: 'string' },
  'val-n': { type: 'string' },
  device: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SAMPLE_FLAGS = {
  n: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  device: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = Record<string, string | boolean | undefined>;

function parse(command: string, args: readonly string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>): { values: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as Flags, positionals };
  } catch (e) {
    // Node's messages name the flag ("Unknown option '--epoch'"); add what is accepted.
    const known = Object.keys(options)
      .map((k) => `--${k}`)
      .join(' ');
    throw new CliError(`${command}: ${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}. Options of ${command}: ${known}`);
  }
}

function intFlag(flags: Flags, name: string, min: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const s = String(v).trim();
  if (!/^[0-9]+$/.test(s) || Number(s) < min || !Number.isSafeInteger(Number(s))) throw new CliError(`--${name} ${v}: expected an integer >= ${min}`);
  return Number(s);
}

function numberFlag(flags: Flags, name: string, check: (v: number) => boolean, expected: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const x = Number(v);
  if (String(v).trim() === '' || !Number.isFinite(x) || !check(x)) throw new CliError(`--${name} ${v}: expected ${expected}`);
  return x;
}

function choiceFlag<T extends string>(flags: Flags, name: string, choices: readonly T[]): T | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) throw new CliError(`--${name} ${v}: expected one of ${choices.join(', ')}`);
  return v as T;
}

const DEVICES = ['auto', 'cpu', 'webgpu', 'wasm'] as const;

/** Whether a WebGPU device is a CPU implementation (lavapipe/llvmpipe, SwiftShader), from its adapter's name. */
export function isSoftwareDevice(device: Device): boolean {
  return isWebGpu(device) && /llvmpipe|lavapipe|swiftshader|software/i.test(device.name);
}

async function pickDevice(flags: Flags): Promise<Device> {
  const want = choiceFlag(flags, 'device', DEVICES) ?? 'auto';
  try {
    return await useDevice(want);
  } catch (e) {
    throw new CliError(`--device ${want}: ${(e as Error).message}`);
  }
}

/** Why the run is on its device: `auto`'s reason (with its measurements), or the flag. */
function deviceReason(flags: Flags, device: Device): string {
  const auto = lastAutoChoice();
  return flags.device === undefined || flags.device === 'auto' ? (auto?.device === device ? auto.reason : 'auto') : `--device ${String(flags.device)}`;
}

/** The training config from flags over a preset (or over a checkpoint's config when resuming). */
export function configFromFlags(flags: Flags, base: GanConfig): GanConfig {
  const c = structuredClone(base);
  const set = <K extends keyof GanConfig>(key: K, v: GanConfig[K] | undefined) => {
    if (v !== undefined) c[key] = v;
  };
  set('epochs', intFlag(flags, 'epochs', 1));
  set('batch', intFlag(flags, 'batch', 1));
  set('k', intFlag(flags, 'k', 1));
  set('lr', numberFlag(flags, 'lr', (x) => x > 0, 'a positive number'));
  set('minutes', numberFlag(flags, 'minutes', (x) => x > 0, 'a positive number of minutes'));
  set('seed', intFlag(flags, 'seed', 0));
  set('zDist', choiceFlag<ZDist>(flags, 'z-dist', Z_DISTS));
  set('update', choiceFlag<UpdateMode>(flags, 'update', UPDATE_MODES));
  set('gLoss', choiceFlag<GeneratorLossKind>(flags, 'g-loss', GENERATOR_LOSSES));
  set('logEvery', intFlag(flags, 'log-every', 1));
  set('trainN', intFlag(flags, 'train-n', 1));
  set('valN', intFlag(flags, 'val-n', 0));
  set('parzenEvery', intFlag(flags, 'parzen-every', 0));
  try {
    return validateConfig(c);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Flags that change what is trained: refused with --resume (the run continues as it was configured). */
const FIXED_ON_RESUME = ['preset', 'batch', 'k', 'lr', 'seed', 'z-dist', 'update', 'g-loss', 'train-n', 'val-n', 'out'];

const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

function summaryLine(r: EpochRecord, epochs: number): string {
  return (
    `epoch ${r.epoch}/${epochs}${r.partial ? ' (partial)' : ''}: ${r.iterations} it, ${r.seconds.toFixed(1)} s (${r.msPerIteration.toFixed(1)} ms/it) | ` +
    `D loss ${fmt(r.dLoss)} G loss ${fmt(r.gLoss)} | D(x) ${fmt(r.dReal)} D(G(z)) ${fmt(r.dFake)} | V(D,G) valid ${fmt(r.value)}` +
    (r.parzen ? ` | Parzen ${r.parzen.mean.toFixed(1)} ± ${r.parzen.stdErr.toFixed(1)}` : '')
  );
}

function countParams(ts: readonly Tensor[]): number {
  return ts.reduce((a, t) => a + t.size, 0);
}

async function parzenOf(G: GeneratorNet, config: GanConfig, mnist: Mnist, device: Device, opts: { n: number; seed: number; sigma?: number; testN: number; valN?: number }) {
  const samples = generateSamples(G, opts.n, config.zDist, new Generator(deriveSeed(opts.seed, 'parzen-samples')), device);
  const valN = Math.min(opts.valN ?? 1000, mnist.validation.n);
  const testN = Math.min(opts.testN, mnist.test.n);
  const validation = fromArray(mnist.validation.images.subarray(0, valN * MNIST_PIXELS), [valN, MNIST_PIXELS], { device });
  const test = fromArray(mnist.test.images.subarray(0, testN * MNIST_PIXELS), [testN, MNIST_PIXELS], { device });
  try {
    return await parzenEvaluate({ samples, validation, test, sigma: opts.sigma, validationCount: valN });
  } finally {
    samples.dispose();
    validation.dispose();
    test.dispose();
  }
}

// ------------------------------------------------------------------ train

async function train(args: readonly string[], io: CliIO): Promise<number> {
  const started = performance.now();
  const { values: flags, positionals } = parse('train', args, TRAIN_FLAGS);
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length) throw new CliError(`train: unexpected argument '${positionals[0]}' (did you mean --resume ${positionals[0]}?)`);
  const resumeDir = typeof flags.resume === 'string' ? existingRun(flags.resume) : null;
  if (resumeDir) {
    const fixed = FIXED_ON_RESUME.filter((f) => flags[f] !== undefined);
    if (fixed.length) throw new CliError(`--resume continues the run as it was configured; --${fixed[0]} cannot be changed (only --epochs, --minutes, --log-every, --device, --parzen-every)`);
  }
  const presetFlag = choiceFlag<PresetName>(flags, 'preset', PRESET_NAMES);
  // Validate the flags before the (slow) device and data set-up.
  if (!resumeDir) configFromFlags(flags, preset(presetFlag ?? 'quick'));

  const device = await pickDevice(flags);
  const software = isSoftwareDevice(device);
  const realGpu = isWebGpu(device) && !software;
  let config: GanConfig;
  let presetReason: string;
  const checkpoint = resumeDir ? await loadCheckpoint(resumeDir) : null;
  if (checkpoint) {
    config = configFromFlags(flags, checkpoint.meta.config);
    presetReason = `resumed from ${resumeDir}`;
  } else {
    const name = presetFlag ?? (realGpu ? 'paper' : 'quick');
    presetReason = presetFlag
      ? '--preset'
      : realGpu
        ? 'a GPU was found: the paper configuration'
        : `no hardware GPU (${software ? 'software adapter' : `${device.kind} device`}): the quick preset`;
    config = configFromFlags(flags, preset(name));
  }
  const dir = resumeDir ?? resolve(typeof flags.out === 'string' ? flags.out : `runs/${defaultRunName(config.preset)}`);
  await ensureRunDir(dir);

  const chosenBecause = deviceReason(flags, device);
  io.out(`device: ${device.name}${software ? ' (software adapter)' : ''} (${chosenBecause})`);
  io.out(`preset: ${config.preset} (${presetReason})`);
  io.out(`run folder: ${dir}`);
  let t = performance.now();
  const mnist = await loadMnist();
  io.out(`MNIST loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const train = { images: mnist.train.images, n: mnist.train.n, d: MNIST_PIXELS };
  const validation = { images: mnist.validation.images, n: mnist.validation.n, d: MNIST_PIXELS };
  const trainer = new GanTrainer(config, train, device, validation);
  try {
    if (checkpoint) trainer.restore(checkpoint.tensors, checkpoint.meta);
    await writeConfig(dir, {
      preset: config.preset,
      presetReason,
      device: device.name,
      deviceKind: device.kind,
      deviceReason: chosenBecause,
      softwareAdapter: software,
      config,
      trainImages: trainer.data.n,
      iterationsPerEpoch: trainer.iterationsPerEpoch,
      parameters: { G: countParams(trainer.G.parameters()), D: countParams(trainer.D.parameters()) },
      command: ['gan', 'train', ...args].join(' '),
      startedAt: new Date().toISOString(),
      resumedAt: checkpoint ? { epoch: checkpoint.meta.epoch, iteration: checkpoint.meta.iterInEpoch } : undefined,
      node: process.version,
    });
    const c = config;
    io.out(
      `G ${[c.generator.zDim, ...c.generator.hidden, c.generator.outDim].join('-')} (${countParams(trainer.G.parameters())} parameters), ` +
        `D maxout ${c.discriminator.units.map((u) => `${u}x${c.discriminator.pieces}`).join('-')} (${countParams(trainer.D.parameters())} parameters); ` +
        `batch ${c.batch}, k ${c.k}, ${c.update}, ${c.gLoss} G loss, z ${c.zDist}; ${trainer.iterationsPerEpoch} iterations per epoch` +
        (c.minutes ? `; budget ${c.minutes} min` : ''),
    );
    if (checkpoint) io.out(`resuming at epoch ${trainer.epoch + 1}, iteration ${trainer.iterInEpoch}`);

    // Stop conditions: the time budget (the whole command, keeping time for the final figures) and Ctrl-C.
    const reserveMs = 15_000;
    const deadline = c.minutes ? started + c.minutes * 60_000 - reserveMs : Infinity;
    let interrupted = false;
    const onSigint = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      io.err('\nstopping after this iteration (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);
    const shouldStop = () => interrupted || performance.now() >= deadline;

    const showBar = io.progress ?? (process.stderr.isTTY === true && !flags['no-progress']);
    const bar = showBar
      ? new cliProgress.SingleBar(
          {
            format:
              'epoch {epochNo}/{epochs} |{bar}| {value}/{total} it | {msit} ms/it | D {dLoss} G {gLoss} | D(x) {dx} D(G(z)) {dgz} | eta {eta_formatted}',
            hideCursor: true,
            stream: process.stderr,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    let lastLine = performance.now();
    let lastIt = { at: performance.now(), it: trainer.totalIterations };
    const onProgress = (p: ProgressInfo) => {
      const now = performance.now();
      const msit = (now - lastIt.at) / Math.max(1, trainer.totalIterations - lastIt.it);
      lastIt = { at: now, it: trainer.totalIterations };
      const payload = { epochNo: p.epoch + 1, epochs: c.epochs, msit: msit.toFixed(0), dLoss: fmt(p.stats.dLoss), gLoss: fmt(p.stats.gLoss), dx: fmt(p.stats.dReal), dgz: fmt(p.stats.dFake) };
      if (bar) {
        if (p.iterInEpoch <= c.logEvery || bar.getTotal() !== p.iterationsPerEpoch) bar.start(p.iterationsPerEpoch, p.iterInEpoch, payload);
        else bar.update(p.iterInEpoch, payload);
      } else if (now - lastLine > 30_000) {
        lastLine = now;
        io.out(`  epoch ${p.epoch + 1} ${p.iterInEpoch}/${p.iterationsPerEpoch} it, ${payload.msit} ms/it, D ${payload.dLoss} G ${payload.gLoss} D(x) ${payload.dx} D(G(z)) ${payload.dgz}`);
      }
    };

    const writeEpochFiles = async (history: readonly EpochRecord[]) => {
      await writeMetrics(dir, history);
      await writeRunFile(dir, RUN_FILES.samples, await samplesFigure(trainer));
      await writeRunFile(dir, RUN_FILES.curves, curvesFigure(history, `GAN on MNIST (${c.preset})`));
    };

    let stoppedInEpoch = false;
    try {
      while (trainer.epoch < c.epochs && !shouldStop()) {
        const rec = await trainer.runEpoch({ shouldStop, onProgress });
        bar?.stop();
        if (!rec) {
          stoppedInEpoch = true;
          break;
        }
        if (c.parzenEvery > 0 && rec.epoch % c.parzenEvery === 0) {
          const p = await parzenOf(trainer.G, c, mnist, device, { n: 10_000, seed: c.seed, testN: 10_000 });
          rec.parzen = { mean: p.mean, stdErr: p.stdErr, sigma: p.sigma };
        }
        io.out(summaryLine(rec, c.epochs));
        await saveCheckpoint(dir, trainer);
        await writeEpochFiles(trainer.history);
      }
    } finally {
      bar?.stop();
      process.off('SIGINT', onSigint);
    }

    t = performance.now();
    const history = [...trainer.history];
    if (stoppedInEpoch) {
      const partial = await trainer.partialRecord();
      if (partial) {
        history.push(partial);
        io.out(summaryLine(partial, c.epochs));
      }
      await saveCheckpoint(dir, trainer);
    }
    await writeEpochFiles(history);
    await writeRunFile(dir, RUN_FILES.interpolation, await interpolationFigure(trainer));
    await writeRunFile(dir, RUN_FILES.nearest, await nearestFigure(trainer, { ...train, n: trainer.data.n }));
    const iterations = history.reduce((a, r) => a + r.iterations, 0);
    const seconds = history.reduce((a, r) => a + r.seconds, 0);
    const why = interrupted ? 'interrupted' : trainer.epoch >= c.epochs ? `${c.epochs} epochs done` : `time budget of ${c.minutes} min`;
    io.out(
      `stopped (${why}): ${history.length} epoch(s)${stoppedInEpoch ? ' (the last partial)' : ''}, ${iterations} iterations, ` +
        `${(seconds / 60).toFixed(1)} min training (${iterations ? ((1000 * seconds) / iterations).toFixed(1) : '-'} ms/it), ` +
        `${((performance.now() - started) / 60_000).toFixed(1)} min in all (final figures ${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );
    io.out(`wrote ${dir}/{${Object.values(RUN_FILES).join(',')}}`);
    if (stoppedInEpoch || trainer.epoch < c.epochs) io.out(`continue with: pnpm gan train --resume ${dir}`);
    return 0;
  } finally {
    trainer.dispose();
  }
}

// ------------------------------------------------------------------ eval / sample

/** G from the checkpoint of the run in `dir` (a folder existingRun resolved). */
async function loadGenerator(dir: string, device: Device): Promise<{ G: GeneratorNet; config: GanConfig; epoch: number; iterInEpoch: number }> {
  const { tensors, meta } = await loadCheckpoint(dir);
  const G = new GeneratorNet(meta.config.generator, { device, init: new Generator(0) });
  G.loadStateDict(withPrefix(tensors, 'G.'));
  return { G, config: meta.config, epoch: meta.epoch, iterInEpoch: meta.iterInEpoch };
}

/** resolveRunDir, with a missing run reported as a usage error. */
function existingRun(run: string): string {
  try {
    return resolveRunDir(run, { mustExist: true });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

function runArgument(command: string, positionals: readonly string[]): string {
  if (positionals.length !== 1) {
    throw new CliError(`${command}: expected one run (a folder, or a name under runs/); got ${positionals.length ? positionals.join(' ') : 'none'}`);
  }
  return positionals[0]!;
}

async function evaluate(args: readonly string[], io: CliIO): Promise<number> {
  const { values: flags, positionals } = parse('eval', args, EVAL_FLAGS);
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  const run = runArgument('eval', positionals);
  const n = intFlag(flags, 'n', 1) ?? 10_000;
  const sigma = numberFlag(flags, 'sigma', (x) => x > 0, 'a positive number');
  const testN = intFlag(flags, 'test-n', 1) ?? 10_000;
  const valN = intFlag(flags, 'val-n', 1) ?? 1000;
  const seedFlag = intFlag(flags, 'seed', 0);
  const dir = existingRun(run);
  const device = await pickDevice(flags);
  const { G, config, epoch, iterInEpoch } = await loadGenerator(dir, device);
  try {
    const seed = seedFlag ?? config.seed;
    io.out(`device: ${device.name}; run ${dir} (after ${epoch} epoch(s)${iterInEpoch ? ` and ${iterInEpoch} iterations` : ''})`);
    io.out(`Parzen window estimate: ${n} samples, sigma ${sigma ?? `cross-validated on ${valN} validation images over logspace(-1, 0, 10)`}, ${testN} test images`);
    const mnist = await loadMnist();
    const t = performance.now();
    const r = await parzenOf(G, config, mnist, device, { n, seed, sigma, testN, valN });
    const seconds = (performance.now() - t) / 1000;
    io.out(`sigma = ${r.sigma.toPrecision(4)}`);
    io.out(`test log-likelihood: ${r.mean.toFixed(1)} ± ${r.stdErr.toFixed(1)} (mean ± standard error over ${testN} test images; paper: 225 ± 2)`);
    await writeJsonAtomic(resolve(dir, 'parzen.json'), { mean: r.mean, stdErr: r.stdErr, sigma: r.sigma, perSigma: r.perSigma, samples: n, testImages: testN, validationImages: valN, seed, epoch, iterInEpoch, seconds });
    return 0;
  } finally {
    G.dispose();
  }
}

async function sample(args: readonly string[], io: CliIO): Promise<number> {
  const { values: flags, positionals } = parse('sample', args, SAMPLE_FLAGS);
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  const run = runArgument('sample', positionals);
  const n = intFlag(flags, 'n', 1);
  if (n === undefined) throw new CliError('sample: --n N is required (the number of samples)');
  if (typeof flags.out !== 'string' || flags.out === '') throw new CliError('sample: --out FILE is required (raw little-endian float32, n x 784)');
  const seedFlag = intFlag(flags, 'seed', 0);
  const dir = existingRun(run);
  const device = await pickDevice(flags);
  const { G, config } = await loadGenerator(dir, device);
  try {
    const seed = seedFlag ?? config.seed;
    const x = generateSamples(G, n, config.zDist, new Generator(deriveSeed(seed, 'sample')), device);
    const values = Float32Array.from(await x.toArray());
    x.dispose();
    const out = resolve(flags.out);
    await writeFileAtomic(out, float32LittleEndian(values));
    io.out(`wrote ${n} samples (${n} x ${config.generator.outDim} float32, little-endian, ${values.byteLength} bytes) to ${out}`);
    return 0;
  } finally {
    G.dispose();
  }
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await train(rest, io);
      case 'eval':
        return await evaluate(rest, io);
      case 'sample':
        return await sample(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command '${command}'; expected train, eval, sample or help`);
    }
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`gan: error: ${e.message}`);
      io.err('Run `pnpm gan help` for the options.');
      return 2;
    }
    if (e instanceof SaddleError) {
      io.err(`gan: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** True when this file is the program being run (`tsx packages/gan/src/cli.ts`), not an import. */
const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;

if (isEntry) {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`gan: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}


