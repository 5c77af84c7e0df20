/**
 * The CLI's flags: the usage text, each command's flag table, parsing and checking values (a bad
 * one is a CliError naming the flag and what was expected), the device, and the training config
 * from flags over a preset or a checkpoint's config. `gan train`'s flags are written once, in
 * TRAIN_FLAG_TABLE; its usage text, parser options, config and resume rules are generated from it.
 */
import { parseArgs } from 'node:util';
import { lastAutoChoice, useDevice, type Device } from '@saddle/autograd';
import { GENERATOR_LOSSES, type GeneratorLossKind } from '../losses.js';
import { OPTIMIZER_LEARNING_RATES, PRESET_NAMES, UPDATE_MODES, Z_DISTS, validateConfig, type GanConfig, type UpdateMode, type ZDist } from '../presets.js';
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

/** What --device accepts. */
const DEVICES = ['auto', 'cpu', 'webgpu', 'wasm'] as const;

/** How a train flag relates to `--resume`: refused (it changes what is trained), allowed, or neither (no setting of the run). */
export type ResumeRule = 'fixed' | 'may-change' | 'neither';

/** One flag of `gan train`: everything the usage text, the parser, the config and the resume rules need. */
export interface TrainFlag {
  /** The flag without its dashes. */
  name: string;
  /** The value's placeholder in the usage text (`N`, `X`, `paper|quick|conv|tiny`); absent: a switch (boolean). */
  value?: string;
  /** A one-letter alias. */
  short?: string;
  /** The usage text's description, one string per line. */
  help: readonly string[];
  /** `fixed`: refused with --resume; `may-change`: a resume may give it; `neither`: not about the run's settings. */
  resume: ResumeRule;
  /** The config key the flag sets, when it sets one key (a resume records the changeable ones). */
  key?: keyof GanConfig;
  /** Reads and checks the flag (a CliError naming it) and sets it on the config; absent: not part of the config. */
  configure?: (flags: Flags, c: GanConfig, name: string) => void;
}

/** Reads one flag's value, checked; undefined when the flag is absent. */
type Reader<T> = (flags: Flags, name: string) => T | undefined;

const int =
  (min: number): Reader<number> =>
  (flags, name) =>
    intFlag(flags, name, min);
const decimal =
  (check: (v: number) => boolean, expected: string): Reader<number> =>
  (flags, name) =>
    numberFlag(flags, name, check, expected);
const choice =
  <T extends string>(choices: readonly T[]): Reader<T> =>
  (flags, name) =>
    choiceFlag<T>(flags, name, choices);
const positive = decimal((x) => x > 0, 'a positive number');
const probability = decimal((x) => x > 0 && x <= 1, 'a probability in (0, 1]');
/** The optimizers `--optimizer` names. */
const OPTIMIZERS = ['sgd', 'adam'] as const;

/** A flag that sets config key `key` to its value. */
function setsKey<K extends keyof GanConfig>(key: K, read: Reader<GanConfig[K]>): Pick<TrainFlag, 'key' | 'configure'> {
  return {
    key,
    configure: (flags, c, name) => {
      const v = read(flags, name);
      if (v !== undefined) c[key] = v;
    },
  };
}

/** A flag whose value changes the config some other way (a network's shape, both momentums). */
function changes<T>(read: Reader<T>, apply: (c: GanConfig, v: T) => void): Pick<TrainFlag, 'configure'> {
  return {
    configure: (flags, c, name) => {
      const v = read(flags, name);
      if (v !== undefined) apply(c, v);
    },
  };
}

/**
 * Every flag of `gan train`, once. The usage text, the parser's options (TRAIN_FLAGS), the config
 * from flags (configFromFlags), the flags refused with --resume (FIXED_ON_RESUME) and those a
 * resume may change (RESUME_MAY_CHANGE, RESUME_CONFIG_KEYS) are all generated from it. The config
 * flags are applied in this order (the first bad one is reported; a key the preset lacks is added
 * in this order).
 */
export const TRAIN_FLAG_TABLE: readonly TrainFlag[] = [
  {
    name: 'preset',
    value: PRESET_NAMES.join('|'),
    resume: 'fixed',
    help: [
      "paper: the authors' configuration as their code ran it, with",
      "its simultaneous update (both players' gradients from one pass of D",
      'before either moves); Algorithm 1 as printed (--update alternating)',
      "collapses with the paper's networks (docs/gan.md); quick: narrow networks,",
      'Adam and a time budget, for machines without a GPU; conv: a convolutional',
      "D and a transposed-convolution G with quick's earlier recipe (SGD); tiny:",
      'for tests.',
      'Default: paper on a GPU, quick on the CPU or a software adapter',
    ],
  },
  {
    name: 'device',
    value: DEVICES.join('|'),
    resume: 'may-change',
    help: ['default auto (a hardware GPU; else the faster of wasm and a', 'software WebGPU adapter, measured)'],
  },
  { name: 'threads', value: 'N', resume: 'may-change', help: ['threads of the wasm device (default: every core)'] },
  { name: 'epochs', value: 'N', resume: 'may-change', help: ['epochs to train (paper: 300; quick: 100)'], ...setsKey('epochs', int(1)) },
  { name: 'batch', value: 'N', resume: 'fixed', help: ['minibatch size (paper: 100; quick: 50)'], ...setsKey('batch', int(1)) },
  { name: 'k', value: 'N', resume: 'fixed', help: ["D steps per G step (Algorithm 1's k; paper: 1)"], ...setsKey('k', int(1)) },
  {
    name: 'lr',
    value: 'X',
    resume: 'fixed',
    help: ["both players' initial learning rate (paper, conv: 0.1); it replaces a", "preset's own rate for one player (quick's D: see --d-lr)"],
    key: 'lr',
    configure: (flags, c, name) => {
      const v = positive(flags, name);
      if (v === undefined) return;
      c.lr = v;
      // Both players: a preset's rate for one player gives way (--d-lr and --g-lr, read next, set them again).
      delete c.dLr;
      delete c.gLr;
    },
  },
  { name: 'g-lr', value: 'X', resume: 'fixed', help: ["G's initial learning rate (default: --lr, the preset's)"], ...setsKey('gLr', positive) },
  { name: 'd-lr', value: 'X', resume: 'fixed', help: ["D's initial learning rate (default: --lr, the preset's)"], ...setsKey('dLr', positive) },
  {
    name: 'lr-decay',
    value: 'X',
    resume: 'fixed',
    help: ['divide the learning rate by X after every minibatch (paper: 1.000004)'],
    ...setsKey(
      'lrDecay',
      decimal((x) => x >= 1, 'a number >= 1'),
    ),
  },
  {
    name: 'lr-anneal',
    value: 'F',
    resume: 'fixed',
    help: ["over the last fraction F of the run's epochs, both learning rates fall", 'linearly to 0 (default 0: none)'],
    ...setsKey(
      'lrAnneal',
      decimal((x) => x >= 0 && x <= 1, 'a fraction in [0, 1] (0: no anneal)'),
    ),
  },
  {
    name: 'g-ema',
    value: 'DECAY',
    resume: 'fixed',
    help: ["keep a moving average of G's weights (e.g. 0.999; 0: none) and draw the", 'samples, figures and Parzen estimates from it'],
    ...setsKey(
      'gEma',
      decimal((x) => x >= 0 && x < 1, 'a number in [0, 1) (0: no average)'),
    ),
  },
  {
    name: 'g-ema-rampup',
    value: 'R',
    resume: 'fixed',
    help: ["warm up G's average: its horizon grows as R x the G steps taken, up to", "--g-ema's (e.g. 0.5; 0: none, the initial G fades as DECAY^steps)"],
    ...setsKey(
      'gEmaRampup',
      decimal((x) => x >= 0 && Number.isFinite(x), 'a finite number >= 0 (0: none)'),
    ),
  },
  {
    name: 'minutes',
    value: 'X',
    resume: 'may-change',
    help: ['the time budget of the whole command, final figures included (quick: 9)'],
    ...setsKey(
      'minutes',
      decimal((x) => x > 0, 'a positive number of minutes'),
    ),
  },
  { name: 'seed', value: 'N', resume: 'fixed', help: ['the seed of every random stream of the run (paper: 1)'], ...setsKey('seed', int(0)) },
  { name: 'z-dist', value: Z_DISTS.join('|'), resume: 'fixed', help: ["z's distribution (paper: uniform)"], ...setsKey('zDist', choice<ZDist>(Z_DISTS)) },
  {
    name: 'update',
    value: UPDATE_MODES.join('|'),
    resume: 'fixed',
    help: ["paper: simultaneous (the authors' code); quick, conv, tiny: alternating", '(Algorithm 1)'],
    ...setsKey('update', choice<UpdateMode>(UPDATE_MODES)),
  },
  {
    name: 'g-loss',
    value: GENERATOR_LOSSES.join('|'),
    resume: 'fixed',
    help: ["G's loss: non-saturating, -log D(G(z)) (default), or saturating,", 'log(1 - D(G(z))) (Eq. (1) as written)'],
    ...setsKey('gLoss', choice<GeneratorLossKind>(GENERATOR_LOSSES)),
  },
  {
    name: 'log-every',
    value: 'N',
    resume: 'may-change',
    help: ['read the statistics back (and check them for NaN) every N iterations'],
    ...setsKey('logEvery', int(1)),
  },
  { name: 'train-n', value: 'N', resume: 'fixed', help: ['use the first N training images (at most 50000)'], ...setsKey('trainN', int(1)) },
  { name: 'val-n', value: 'N', resume: 'fixed', help: ['use the first N validation images (at most 10000)'], ...setsKey('valN', int(0)) },
  {
    name: 'parzen-every',
    value: 'N',
    resume: 'may-change',
    help: ['Parzen estimate every N epochs (slow; default 0: never)'],
    ...setsKey('parzenEvery', int(0)),
  },
  {
    name: 'g-hidden',
    value: 'N,N,...',
    resume: 'fixed',
    help: ["G's hidden layer widths"],
    ...changes(widthsFlag, (c, hidden) => (c.generator = { ...c.generator, hidden })),
  },
  {
    name: 'g-init',
    value: 'X',
    resume: 'fixed',
    help: ["G's weights start U(-X, X) (paper: 0.05; its output layer too, unless the", 'preset or --g-output-init sets its own)'],
    ...changes(positive, (c, initRange) => (c.generator = { ...c.generator, initRange })),
  },
  {
    name: 'd-init',
    value: 'X',
    resume: 'fixed',
    help: ["D's weights start U(-X, X) (paper: 0.005)"],
    ...changes(positive, (c, initRange) => (c.discriminator = { ...c.discriminator, initRange })),
  },
  {
    name: 'g-output-init',
    value: 'X',
    resume: 'fixed',
    help: ["G's output layer weights start U(-X, X) (quick: 0.01; paper: 0.05)"],
    ...changes(positive, (c, outputInitRange) => (c.generator = { ...c.generator, outputInitRange })),
  },
  {
    name: 'd-units',
    value: 'N,N,...',
    resume: 'fixed',
    help: ["D's maxout layers' units"],
    ...changes(widthsFlag, (c, units) => (c.discriminator = { ...c.discriminator, units })),
  },
  {
    name: 'd-pieces',
    value: 'N',
    resume: 'fixed',
    help: ['pieces per maxout unit'],
    ...changes(int(1), (c, pieces) => (c.discriminator = { ...c.discriminator, pieces })),
  },
  {
    name: 'd-keep-input',
    value: 'P',
    resume: 'fixed',
    help: ["keep probability of D's dropout on the pixels (paper: 0.8; 1: no dropout)"],
    ...changes(probability, (c, keepInput) => (c.discriminator = { ...c.discriminator, keepInput })),
  },
  {
    name: 'd-keep-hidden',
    value: 'P',
    resume: 'fixed',
    help: ["keep probability of D's dropout on the hidden units (paper: 0.5; 1: none)"],
    ...changes(probability, (c, keepHidden) => (c.discriminator = { ...c.discriminator, keepHidden })),
  },
  {
    name: 'momentum',
    value: 'X',
    resume: 'fixed',
    help: ['a constant momentum (paper: 0.5 rising to 0.7 by epoch 250)'],
    ...changes(
      decimal((x) => x >= 0 && x < 1, 'a number in [0, 1)'),
      (c, m) => {
        c.momentumStart = m;
        c.momentumEnd = m;
      },
    ),
  },
  {
    name: 'r1',
    value: 'GAMMA',
    resume: 'fixed',
    help: ['R1 gradient penalty on D: GAMMA/2 E||grad_x D(x)||^2 on the real', "minibatch, added to D's loss (default 0: off)"],
    ...setsKey(
      'r1Gamma',
      decimal((x) => x >= 0, 'a non-negative number (the R1 weight gamma; 0: off)'),
    ),
  },
  {
    name: 'r1-every',
    value: 'N',
    resume: 'fixed',
    help: ['lazy R1: apply it every N-th D step only, with GAMMA*N (default 1)'],
    ...setsKey('r1Every', int(1)),
  },
  {
    name: 'optimizer',
    value: OPTIMIZERS.join('|'),
    resume: 'fixed',
    help: [
      "both players' optimizer: SGD with momentum (paper, conv, tiny) or Adam",
      "(quick); a change of optimizer takes that optimizer's learning rate for",
      'both players (SGD: 0.1, Adam: 0.0002) where --lr, --d-lr, --g-lr give none',
    ],
    key: 'optimizer',
    configure: (flags, c, name) => {
      const v = choice(OPTIMIZERS)(flags, name);
      if (v === undefined) return;
      // The two optimizers' learning rates differ by ~500x: keeping the preset's would train badly.
      if (v !== (c.optimizer ?? 'sgd')) {
        if (flags.lr === undefined) c.lr = OPTIMIZER_LEARNING_RATES[v];
        if (flags['d-lr'] === undefined) delete c.dLr;
        if (flags['g-lr'] === undefined) delete c.gLr;
      }
      c.optimizer = v;
    },
  },
  {
    name: 'adam-betas',
    value: 'B1,B2',
    resume: 'fixed',
    help: ["Adam's decay rates beta1,beta2, each in [0, 1) (default 0.5,0.999)"],
    ...setsKey('adamBetas', betasFlag),
  },
  {
    name: 'out',
    value: 'DIR',
    resume: 'fixed',
    help: ['the run folder (default runs/<preset>-<date>-<time>); its parent must', 'exist, and a folder that holds a run is refused (see --force, --resume)'],
  },
  { name: 'force', resume: 'neither', help: ['replace the run in --out (its files are deleted when training starts)'] },
  {
    name: 'resume',
    value: 'RUN',
    resume: 'neither',
    help: ['continue RUN (a folder, or a name under runs/) exactly where it stopped;', '<may-change>', 'may be given (any other flag of the run is refused)'],
  },
  { name: 'no-progress', resume: 'neither', help: ['no progress bar'] },
  { name: 'help', short: 'h', resume: 'neither', help: ['this text (also -h)'] },
];

/** The flags a resume may give (`--resume` continues a run; these change how, not what, it trains). */
export const RESUME_MAY_CHANGE: readonly string[] = TRAIN_FLAG_TABLE.filter((f) => f.resume === 'may-change').map((f) => f.name);

/** Flags that change what is trained: refused with --resume (the run continues as it was configured). */
export const FIXED_ON_RESUME: readonly string[] = TRAIN_FLAG_TABLE.filter((f) => f.resume === 'fixed').map((f) => f.name);

/** The config keys a resume may change (and records in resumes.jsonl), in the table's order. */
export const RESUME_CONFIG_KEYS: readonly (keyof GanConfig)[] = TRAIN_FLAG_TABLE.filter((f) => f.resume === 'may-change' && f.key).map((f) => f.key!);

/** The usage text's left column: a flag and its value, then its description from this column on. */
const HELP_COLUMN = 27;

/** The usage text's width: a description that would pass it beside a long flag starts on the next line. */
const USAGE_WIDTH = 100;

/** The train options of the usage text, one flag (and its description) after another, from the table. */
function trainUsage(): string {
  const mayChange = RESUME_MAY_CHANGE.map((f) => `--${f}`).join(', ');
  return TRAIN_FLAG_TABLE.flatMap((f) => {
    const left = `  --${f.name}${f.value ? ` ${f.value}` : ''}`;
    const [first, ...rest] = f.help.map((line) => line.replace('<may-change>', mayChange));
    const indent = (line: string) => ' '.repeat(HELP_COLUMN) + line;
    if (left.length + 2 <= HELP_COLUMN) return [left.padEnd(HELP_COLUMN) + first, ...rest.map(indent)];
    if (left.length + 2 + first!.length <= USAGE_WIDTH) return [`${left}  ${first}`, ...rest.map(indent)];
    return [left, indent(first!), ...rest.map(indent)];
  }).join('\n');
}

/** `pnpm gan help`: the commands and their options (train's generated from TRAIN_FLAG_TABLE). */
export const USAGE = `Usage: pnpm gan <command> [options]

Commands:
  train                    train the GAN of Goodfellow et al. (2014) on MNIST; writes runs/<name>/
  eval RUN                 Parzen-window log-likelihood of the MNIST test set under RUN's generator
  sample RUN --n N --out FILE
                           N samples as raw little-endian float32 (N x 784)
  help                     this text

train options (defaults: the preset's):
${trainUsage()}

  Ctrl-C or SIGTERM stops after the current iteration and writes a checkpoint (exit 130 / 143);
  a NaN or infinite loss or parameter stops the run, keeping the last finite checkpoint (exit 3).

eval options:  --n N (samples, 10000)  --seed N  --sigma X (skip the cross-validation)
               --test-n N (test images, 10000)  --device auto|cpu|webgpu|wasm  --threads N
sample options: --n N  --out FILE  --seed N  --device auto|cpu|webgpu|wasm  --threads N`;

/** A command's options for node:util's parseArgs: each flag takes a string, or is a boolean switch. */
export type FlagOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** The options of `gan train` for the parser, from TRAIN_FLAG_TABLE. */
export const TRAIN_FLAGS: FlagOptions = Object.fromEntries(
  TRAIN_FLAG_TABLE.map((f) => [
    f.name,
    f.value === undefined
      ? { type: 'boolean' as const, ...(f.short ? { short: f.short } : {}) }
      : { type: 'string' as const, ...(f.short ? { short: f.short } : {}) },
  ]),
);

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

export function parse(command: string, args: readonly string[], options: FlagOptions): { values: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values, positionals };
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

export async function pickDevice(flags: Flags): Promise<Device> {
  const want = choiceFlag(flags, 'device', DEVICES) ?? 'auto';
  const threads = intFlag(flags, 'threads', 1);
  if (threads !== undefined && want !== 'wasm' && want !== 'auto')
    throw new CliError(`--threads ${threads}: only the wasm device (--device wasm or auto) has threads; got --device ${want}`);
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

/** The training config from flags over a preset (or over a checkpoint's config when resuming), in TRAIN_FLAG_TABLE's order. */
export function configFromFlags(flags: Flags, base: GanConfig): GanConfig {
  const c = structuredClone(base);
  for (const f of TRAIN_FLAG_TABLE) f.configure?.(flags, c, f.name);
  try {
    return validateConfig(c);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** A comma-separated flag's value as given and its trimmed parts; undefined when the flag is absent. */
function commaList(flags: Flags, name: string): { raw: string; parts: string[] } | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const raw = String(v);
  return { raw, parts: raw.split(',').map((p) => p.trim()) };
}

/** Adam's two decay rates (`--adam-betas 0.5,0.999`), each a number in [0, 1). */
function betasFlag(flags: Flags, name: string): [number, number] | undefined {
  const list = commaList(flags, name);
  if (!list) return undefined;
  const { raw, parts } = list;
  const betas = parts.map(Number);
  if (parts.length !== 2 || parts.some((b) => b === '') || betas.some((b) => !(b >= 0 && b < 1))) {
    throw new CliError(`--${name} ${raw}: expected beta1,beta2, each a number in [0, 1) (e.g. 0.5,0.999)`);
  }
  return [betas[0]!, betas[1]!];
}

/** A comma-separated list of layer widths (`--g-hidden 256,256`), each an integer >= 1. */
function widthsFlag(flags: Flags, name: string): number[] | undefined {
  const list = commaList(flags, name);
  if (!list) return undefined;
  const { raw, parts } = list;
  const widths = parts.map(Number);
  if (parts.some((w) => !/^[0-9]+$/.test(w)) || widths.some((w) => !Number.isSafeInteger(w) || w < 1)) {
    throw new CliError(`--${name} ${raw}: expected comma-separated layer widths, each an integer >= 1 (e.g. 256,256)`);
  }
  return widths;
}

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
