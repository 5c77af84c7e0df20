/**
 * A trainer's state as a checkpoint holds it: the tensors (both players' parameters, the optimizers'
 * velocities, the statistics accumulators) and a JSON part (position in the run, step counts, the
 * random streams' states, the history). Restoring it into a trainer built with the same config
 * continues the run exactly: the same numbers, bit for bit, as a run that never stopped.
 */
import { SaddleError, type Generator } from '@saddle/autograd';
import type { Module, SafeTensors, SGD } from '@saddle/nn';
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
  optD: { stepCount: number; epoch: number };
  optG: { stepCount: number; epoch: number };
  /** Generator states; seeds as decimal strings (they are 64-bit). */
  rng: { noise: { seed: string; offset: number }; dropout: { seed: string; offset: number } };
  history: EpochRecord[];
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
  readonly optD: SGD;
  readonly optG: SGD;
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
  const optState = async (prefix: string, opt: SGD) => {
    const { tensors: state } = await opt.stateDict();
    opt.params.forEach((_, i) => {
      const v = Float32Array.from(state[`velocity.${i}`]!.data);
      tensors[`${prefix}.velocity.${i}`] = { dtype: 'f32', shape: [v.length], data: v };
    });
    return { stepCount: opt.stepCount, epoch: opt.epoch };
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
  const velocities = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const v = tensors[`${prefix}.velocity.${i}`];
      if (!v) throw new SaddleError('GanTrainer.restore', `the checkpoint has no ${prefix}.velocity.${i}`);
      return v.data;
    });
  t.optD.loadVelocities(velocities('optD', t.optD.params.length), meta.optD);
  t.optG.loadVelocities(velocities('optG', t.optG.params.length), meta.optG);
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
