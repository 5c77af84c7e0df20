/**
 * A trainer's state as a checkpoint holds it: the tensors (both players' parameters, the optimizers'
 * velocities, the statistics accumulators) and a JSON part (position in the run, step counts, the
 * random streams' states, the history). Restoring it into a trainer built with the same config
 * continues the run exactly: the same numbers, bit for bit, as a run that never stopped.
 */
import { SaddleError, type Generator } from '@saddle/autograd';
import type { Module, Optimizer, SafeTensors } from '@saddle/nn';
import type { GanConfig } from '../presets.js';
import type { StepAccumulators } from './accumulators.js';
import type { EpochRecord } from './records.js';

/** What a checkpoint stores besides the tensors (JSON). */
export interface TrainerState {
  format: 'saddle-gan-trainer';
  version: 1;
  config: GanConfig;
  /** 0-based index of the epoch in progress. */
  epoch: number;
  /** Iterations of that epoch already done. */
  iterInEpoch: number;
  /** Minibatches of that epoch D has taken (absent in older checkpoints: iterInEpoch x k). */
  batchInEpoch?: number;
  totalIterations: number;
  dStepsInEpoch: number;
  gStepsInEpoch: number;
  secondsInEpoch: number;
  /**
   * The optimizers' counters; `extra`: the optimizer's own (Adam: each parameter's step count).
   * Their buffers are tensors `optD.<buffer>.<i>` (SGD: velocity; Adam: m, v), flat.
   */
  optD: OptimizerCounters;
  optG: OptimizerCounters;
  /** Generator states; seeds as decimal strings (they are 64-bit). */
  rng: { noise: { seed: string; offset: number }; dropout: { seed: string; offset: number } };
  history: EpochRecord[];
}

/** An optimizer's counters in a checkpoint. */
export interface OptimizerCounters {
  stepCount: number;
  epoch: number;
  /** Metadata of the optimizer's state besides its name and the two counters (absent: none). */
  extra?: Record<string, string>;
}

/** A trainer's full state: what `saveCheckpoint` writes and `restore` reads. */
export interface TrainerSnapshot {
  tensors: SafeTensors;
  meta: TrainerState;
}

/** The parts of a trainer that a checkpoint holds (GanTrainer has them all). */
export interface CheckpointParts {
  readonly config: GanConfig;
  readonly G: Module;
  readonly D: Module;
  /** The averaged G (config.gEma), or null. */
  readonly Gema: Module | null;
  readonly optD: Optimizer;
  readonly optG: Optimizer;
  readonly stats: StepAccumulators;
  readonly noise: Generator;
  readonly dropout: Generator;
  readonly iterationsPerEpoch: number;
  /** Minibatches in one epoch. */
  readonly batchesPerEpoch: number;
  epoch: number;
  iterInEpoch: number;
  batchInEpoch: number;
  totalIterations: number;
  secondsInEpoch: number;
  history: EpochRecord[];
}

/** The checkpoint's names for the averaged G's parameters start with this (`Gema.l0.weight`, ...). */
export const EMA_PREFIX = 'Gema.';

/** The tensors whose names start with `prefix`, under their names without it (e.g. 'G.' for G's state dict). */
export function withPrefix(tensors: SafeTensors, prefix: string): SafeTensors {
  const out: SafeTensors = {};
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = t;
  return out;
}

/** Everything needed to continue exactly (reads the device's tensors back). */
export async function captureState(t: CheckpointParts): Promise<TrainerSnapshot> {
  const tensors: SafeTensors = {};
  const modules: [string, Module][] = [
    ['G.', t.G],
    ['D.', t.D],
  ];
  if (t.Gema) modules.push([EMA_PREFIX, t.Gema]);
  for (const [prefix, m] of modules) {
    const sd = await m.stateDict();
    for (const [name, p] of Object.entries(sd)) tensors[prefix + name] = p;
  }
  const optState = async (prefix: string, opt: Optimizer): Promise<OptimizerCounters> => {
    const { tensors: state, metadata } = await opt.stateDict();
    for (const [key, t] of Object.entries(state)) {
      const v = Float32Array.from(t.data);
      tensors[`${prefix}.${key}`] = { dtype: 'f32', shape: [v.length], data: v };
    }
    const { optimizer: _name, stepCount: _steps, epoch: _epoch, ...extra } = metadata;
    return Object.keys(extra).length ? { stepCount: opt.stepCount, epoch: opt.epoch, extra } : { stepCount: opt.stepCount, epoch: opt.epoch };
  };
  const optD = await optState('optD', t.optD);
  const optG = await optState('optG', t.optG);
  Object.assign(tensors, await t.stats.tensors());
  const gen = (g: Generator) => ({ seed: String(g.seed), offset: g.offset });
  const meta: TrainerState = {
    format: 'saddle-gan-trainer',
    version: 1,
    config: structuredClone(t.config),
    epoch: t.epoch,
    iterInEpoch: t.iterInEpoch,
    batchInEpoch: t.batchInEpoch,
    totalIterations: t.totalIterations,
    dStepsInEpoch: t.stats.dSteps,
    gStepsInEpoch: t.stats.gSteps,
    secondsInEpoch: t.secondsInEpoch,
    optD,
    optG,
    rng: { noise: gen(t.noise), dropout: gen(t.dropout) },
    history: structuredClone(t.history),
  };
  return { tensors, meta };
}

/** Restores `captureState`'s output into a trainer built with the same config. */
export function restoreState(t: CheckpointParts, tensors: SafeTensors, meta: TrainerState): void {
  if (meta.format !== 'saddle-gan-trainer' || meta.version !== 1) {
    throw new SaddleError('GanTrainer.restore', `not a trainer state (format ${String(meta.format)}, version ${String(meta.version)})`);
  }
  t.G.loadStateDict(withPrefix(tensors, 'G.'));
  t.D.loadStateDict(withPrefix(tensors, 'D.'));
  if (t.Gema) t.Gema.loadStateDict(withPrefix(tensors, EMA_PREFIX), 'the averaged G (config.gEma)');
  const [saved, mine] = [meta.config.optimizer ?? 'sgd', t.config.optimizer ?? 'sgd'];
  if (saved !== mine) {
    throw new SaddleError('GanTrainer.restore', `the checkpoint's run trained with optimizer '${saved}'; this trainer's config has '${mine}'`);
  }
  // The optimizer's own state, its buffers given their parameters' shapes again (stored flat);
  // loadStateDict checks every buffer before it writes any.
  const optimizerState = (prefix: string, opt: Optimizer, counters: OptimizerCounters) => {
    const state: SafeTensors = {};
    for (const [key, v] of Object.entries(tensors)) {
      if (!key.startsWith(`${prefix}.`)) continue;
      const name = key.slice(prefix.length + 1);
      const param = opt.params[Number(name.slice(name.lastIndexOf('.') + 1))];
      state[name] = param && param.size === v.data.length ? { ...v, shape: [...param.shape] } : v;
    }
    const metadata = { ...counters.extra, optimizer: opt.name, stepCount: String(counters.stepCount), epoch: String(counters.epoch) };
    opt.loadStateDict({ tensors: state, metadata }, `the checkpoint's ${prefix}`);
  };
  optimizerState('optD', t.optD, meta.optD);
  optimizerState('optG', t.optG, meta.optG);
  t.stats.load(tensors, { dSteps: meta.dStepsInEpoch, gSteps: meta.gStepsInEpoch });
  t.noise.setState({ seed: BigInt(meta.rng.noise.seed), offset: meta.rng.noise.offset });
  t.dropout.setState({ seed: BigInt(meta.rng.dropout.seed), offset: meta.rng.dropout.offset });
  t.epoch = meta.epoch;
  t.iterInEpoch = meta.iterInEpoch;
  t.batchInEpoch = meta.batchInEpoch ?? meta.iterInEpoch * meta.config.k;
  t.totalIterations = meta.totalIterations;
  t.secondsInEpoch = meta.secondsInEpoch;
  t.history = structuredClone(meta.history);
  if (t.batchInEpoch > t.batchesPerEpoch) {
    throw new SaddleError('GanTrainer.restore', `minibatch ${t.batchInEpoch} is past the ${t.batchesPerEpoch} of an epoch (iteration ${t.iterInEpoch})`);
  }
}

/**
 * The names of the tensors in `tensors` that hold a NaN or an infinity (empty when all are finite).
 * A checkpoint with such values is never written: it would replace the last good one.
 */
export function nonFiniteTensors(tensors: SafeTensors): string[] {
  return Object.entries(tensors)
    .filter(([, t]) => {
      for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i]!)) return true;
      return false;
    })
    .map(([name]) => name);
}
