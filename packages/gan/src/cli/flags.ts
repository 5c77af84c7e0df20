/**
 * The CLI's flags: the usage text, each command's flag table, parsing and checking values (a bad
 * one is a CliError naming the flag and what was expected), the device, and the training config
 * from flags over a preset or a checkpoint's config.
 */
import { parseArgs } from 'node:util';
import { lastAutoChoice, useDevice, type Device } from '@saddle/autograd';
import { GENERATOR_LOSSES, type GeneratorLossKind } from '../losses.js';
import { UPDATE_MODES, Z_DISTS, validateConfig, type GanConfig, type UpdateMode, type ZDist } from '../presets.js';
import { resolveRunDir } from '../run/run-folder.js';

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

export const defaultIO: CliIO = {
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
  --preset paper|quick|conv|tiny  paper: the authors' configuration as their code ran it, with
                           its simultaneous update (both players' gradients from one pass of D
                           before either moves); Algorithm 1 as printed (--update alternating)
                           collapses with the paper's networks (docs/gan.md); quick: narrow networks
                           and a time budget, for machines without a GPU; conv: quick's recipe with
                           a convolutional D and a transposed-convolution G; tiny: for tests.
                           Default: paper on a GPU, quick on the CPU or a software adapter
  --device auto|cpu|webgpu|wasm  default auto (a hardware GPU; else the faster of wasm and a
                           software WebGPU adapter, measured)
  --threads N              threads of the wasm device (default: every core)
  --epochs N  --batch N  --k N  --lr X  --minutes X  --seed N
  --g-hidden N,N,...       G's hidden layer widths     --d-units N,N,...  D's maxout layers' units
  --g-output-init X        G's output layer weights start U(-X, X) (quick: 0.01; paper: 0.05)
  --g-init X  --d-init X   G's / D's weights start U(-X, X) (paper: 0.05 / 0.005; G's output
                           layer too, unless the preset or --g-output-init sets its own)
  --g-lr X  --d-lr X       one player's initial learning rate (default: --lr, the preset's)
  --d-pieces N             pieces per maxout unit      --momentum X       a constant momentum
  --d-keep-input P  --d-keep-hidden P  keep probabilities of D's dropout on the pixels / hidden
                           units (paper: 0.8 / 0.5; 1: no dropout)
  --lr-decay X             divide the learning rate by X after every minibatch (paper: 1.000004)
  --lr-anneal F            over the last fraction F of the run's epochs, both learning rates fall
                           linearly to 0 (default 0: none)
  --g-ema DECAY            keep a moving average of G's weights (e.g. 0.999; 0: none) and draw the
                           samples, figures and Parzen estimates from it
  --z-dist uniform|gaussian  --update alternating|simultaneous  --g-loss non-saturating|saturating
                           (--update: paper simultaneous, quick and tiny alternating: Algorithm 1)
  --log-every N            read the statistics back (and check them for NaN) every N iterations
  --train-n N  --val-n N   use the first N training (at most 50000) / validation (10000) images
  --parzen-every N         Parzen estimate every N epochs (slow; default 0: never)
  --r1 GAMMA               R1 gradient penalty on D: GAMMA/2 E||grad_x D(x)||^2 on the real
                           minibatch, added to D's loss (default 0: off)
  --r1-every N             lazy R1: apply it every N-th D step only, with GAMMA*N (default 1)
  --out DIR                the run folder (default runs/<preset>-<date>-<time>); its parent must
                           exist, and a folder that holds a run is refused (see --force, --resume)
  --force                  replace the run in --out (its files are deleted when training starts)
  --resume RUN             continue RUN (a folder, or a name under runs/) exactly where it stopped;
                           --epochs, --minutes, --log-every, --device may be given
  --no-progress            no progress bar

  Ctrl-C or SIGTERM stops after the current iteration and writes a checkpoint (exit 130 / 143);
  a NaN or infinite loss or parameter stops the run, keeping the last finite checkpoint (exit 3).

eval options:  --n N (samples, 10000)  --seed N  --sigma X (skip the cross-validation)
               --test-n N (test images, 10000)  --device auto|cpu|webgpu|wasm  --threads N
sample options: --n N  --out FILE  --seed N  --device auto|cpu|webgpu|wasm  --threads N`;

export const TRAIN_FLAGS = {
  preset: { type: 'string' },
  device: { type: 'string' },
  threads: { type: 'string' },
  'g-hidden': { type: 'string' },
  'd-units': { type: 'string' },
  'd-pieces': { type: 'string' },
  momentum: { type: 'string' },
  'lr-decay': { type: 'string' },
  'g-ema': { type: 'string' },
  'lr-anneal': { type: 'string' },
  'g-output-init': { type: 'string' },
  'g-init': { type: 'string' },
  'd-init': { type: 'string' },
  'g-lr': { type: 'string' },
  'd-lr': { type: 'string' },
  'd-keep-input': { type: 'string' },
  'd-keep-hidden': { type: 'string' },
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
  r1: { type: 'string' },
  'r1-every': { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  force: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const EVAL_FLAGS = {
  n: { type: 'string' },
  seed: { type: 'string' },
  sigma: { type: 'string' },
  'test-n': { type: 'string' },
  'val-n': { type: 'string' },
  device: { type: 'string' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const SAMPLE_FLAGS = {
  n: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  device: { type: 'string' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Flags = Record<string, string | boolean | undefined>;

export function parse(command: string, args: readonly string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>): { values: Flags; positionals: string[] } {
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

export function intFlag(flags: Flags, name: string, min: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const s = String(v).trim();
  if (!/^[0-9]+$/.test(s) || Number(s) < min || !Number.isSafeInteger(Number(s))) throw new CliError(`--${name} ${v}: expected an integer >= ${min}`);
  return Number(s);
}

/** A decimal number: digits with an optional sign, point and exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function numberFlag(flags: Flags, name: string, check: (v: number) => boolean, expected: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  // Decimal notation only (`0.1`, `2`, `1e-3`): Number() would also take `0x10`, `0b1`, `Infinity`.
  const s = String(v).trim();
  const x = Number(s);
  if (!DECIMAL.test(s) || !Number.isFinite(x) || !check(x)) throw new CliError(`--${name} ${v}: expected ${expected}, written in decimal`);
  return x;
}

export function choiceFlag<T extends string>(flags: Flags, name: string, choices: readonly T[]): T | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) throw new CliError(`--${name} ${v}: expected one of ${choices.join(', ')}`);
  return v as T;
}

const DEVICES = ['auto', 'cpu', 'webgpu', 'wasm'] as const;

export async function pickDevice(flags: Flags): Promise<Device> {
  const want = choiceFlag(flags, 'device', DEVICES) ?? 'auto';
  const threads = intFlag(flags, 'threads', 1);
  if (threads !== undefined && want !== 'wasm' && want !== 'auto') throw new CliError(`--threads ${threads}: only the wasm device (--device wasm or auto) has threads; got --device ${want}`);
  try {
    return await useDevice(want, threads === undefined ? {} : { threads });
  } catch (e) {
    throw new CliError(`--device ${want}: ${(e as Error).message}`);
  }
}

/** Why the run is on its device: `auto`'s reason (with its measurements), or the flag. */
export function deviceReason(flags: Flags, device: Device): string {
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
  set('gLr', numberFlag(flags, 'g-lr', (x) => x > 0, 'a positive number'));
  set('dLr', numberFlag(flags, 'd-lr', (x) => x > 0, 'a positive number'));
  set('lrDecay', numberFlag(flags, 'lr-decay', (x) => x >= 1, 'a number >= 1'));
  set('lrAnneal', numberFlag(flags, 'lr-anneal', (x) => x >= 0 && x <= 1, 'a fraction in [0, 1] (0: no anneal)'));
  set('gEma', numberFlag(flags, 'g-ema', (x) => x >= 0 && x < 1, 'a number in [0, 1) (0: no average)'));
  set('minutes', numberFlag(flags, 'minutes', (x) => x > 0, 'a positive number of minutes'));
  set('seed', intFlag(flags, 'seed', 0));
  set('zDist', choiceFlag<ZDist>(flags, 'z-dist', Z_DISTS));
  set('update', choiceFlag<UpdateMode>(flags, 'update', UPDATE_MODES));
  set('gLoss', choiceFlag<GeneratorLossKind>(flags, 'g-loss', GENERATOR_LOSSES));
  set('logEvery', intFlag(flags, 'log-every', 1));
  set('trainN', intFlag(flags, 'train-n', 1));
  set('valN', intFlag(flags, 'val-n', 0));
  set('parzenEvery', intFlag(flags, 'parzen-every', 0));
  const gHidden = widthsFlag(flags, 'g-hidden');
  if (gHidden) c.generator = { ...c.generator, hidden: gHidden };
  const gInit = numberFlag(flags, 'g-init', (x) => x > 0, 'a positive number');
  if (gInit !== undefined) c.generator = { ...c.generator, initRange: gInit };
  const dInit = numberFlag(flags, 'd-init', (x) => x > 0, 'a positive number');
  if (dInit !== undefined) c.discriminator = { ...c.discriminator, initRange: dInit };
  const gOutputInit = numberFlag(flags, 'g-output-init', (x) => x > 0, 'a positive number');
  if (gOutputInit !== undefined) c.generator = { ...c.generator, outputInitRange: gOutputInit };
  const dUnits = widthsFlag(flags, 'd-units');
  if (dUnits) c.discriminator = { ...c.discriminator, units: dUnits };
  const dPieces = intFlag(flags, 'd-pieces', 1);
  if (dPieces !== undefined) c.discriminator = { ...c.discriminator, pieces: dPieces };
  const keepInput = numberFlag(flags, 'd-keep-input', (x) => x > 0 && x <= 1, 'a probability in (0, 1]');
  if (keepInput !== undefined) c.discriminator = { ...c.discriminator, keepInput };
  const keepHidden = numberFlag(flags, 'd-keep-hidden', (x) => x > 0 && x <= 1, 'a probability in (0, 1]');
  if (keepHidden !== undefined) c.discriminator = { ...c.discriminator, keepHidden };
  const momentum = numberFlag(flags, 'momentum', (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  if (momentum !== undefined) {
    c.momentumStart = momentum;
    c.momentumEnd = momentum;
  }
  set('r1Gamma', numberFlag(flags, 'r1', (x) => x >= 0, 'a non-negative number (the R1 weight gamma; 0: off)'));
  set('r1Every', intFlag(flags, 'r1-every', 1));
  try {
    return validateConfig(c);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** A comma-separated list of layer widths (`--g-hidden 256,256`), each an integer >= 1. */
function widthsFlag(flags: Flags, name: string): number[] | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const parts = String(v).split(',').map((w) => w.trim());
  const widths = parts.map(Number);
  if (parts.some((w) => !/^[0-9]+$/.test(w)) || widths.some((w) => !Number.isSafeInteger(w) || w < 1)) {
    throw new CliError(`--${name} ${String(v)}: expected comma-separated layer widths, each an integer >= 1 (e.g. 256,256)`);
  }
  return widths;
}

/** Flags that change what is trained: refused with --resume (the run continues as it was configured). */
export const FIXED_ON_RESUME = ['preset', 'batch', 'k', 'lr', 'seed', 'z-dist', 'update', 'g-loss', 'train-n', 'val-n', 'r1', 'r1-every', 'out', 'g-hidden', 'g-output-init', 'g-init', 'd-init', 'g-lr', 'd-lr', 'd-units', 'd-pieces', 'd-keep-input', 'd-keep-hidden', 'momentum', 'lr-decay', 'g-ema', 'lr-anneal'];

/** resolveRunDir, with a missing run reported as a usage error. */
export function existingRun(run: string): string {
  try {
    return resolveRunDir(run, { mustExist: true });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** The one positional argument of eval and sample: a run. */
export function runArgument(command: string, positionals: readonly string[]): string {
  if (positionals.length !== 1) {
    throw new CliError(`${command}: expected one run (a folder, or a name under runs/); got ${positionals.length ? positionals.join(' ') : 'none'}`);
  }
  return positionals[0]!;
}
