/**
 * Algorithm 1 of the paper: minibatch SGD on the two players.
 *
 *   for each training iteration:
 *     k times:  draw m noise samples and m data examples; update D by descending
 *               0.5 [CE(1, D(x)) + CE(0, D(G(z)))]
 *     once:     draw m fresh noise samples; update G by descending CE(1, D(G(z)))
 *               (or log(1 - D(G(z))), Eq. (1) as written: `gLoss: 'saturating'`)
 *
 * `update: 'simultaneous'` is what the authors' pylearn2 code ran instead: one minibatch, one batch
 * of samples G(z), one forward pass of D over both, and both players' gradients taken from that
 * same pass (each with respect to its own parameters) before either is updated.
 *
 * The hot path. Each iteration runs inside `tidy`, records its kernels into the device's one command
 * encoder and submits once (`device.flush()` at the end). Nothing is read back: the losses and D's
 * mean outputs are added into small on-device accumulators (`accumulators.ts`), read every
 * `logEvery` iterations and at the end of the epoch; the same read-back checks that the losses and
 * every parameter are finite (`non-finite.ts`). D sees the real and the fake batch stacked as
 * one [2B, 784] batch (one matmul per layer, not two). In the G step, D's parameters are marked as not requiring grad, so
 * backward through D computes only the gradients with respect to D's inputs (the path to G), never
 * D's weight gradients; in the D step, G runs under `noGrad`.
 *
 * With the R1 penalty on (`r1Gamma` > 0), D's objective adds gamma/2 E||∇ₓ D(x)||² on the real rows,
 * from a forward pass of D of its own over those rows (why: `d-objective.ts`), and D's gradients are
 * taken for its parameters only. With r1Gamma 0 the D step runs exactly the kernels it always did.
 *
 * The records are in `records.ts`, the checkpoint state in `checkpoint-state.ts`, the run around the
 * epochs (deadline, signals, checkpoints, figures) in `../run/training-run.ts`, one layer above
 * this folder (train/ imports nothing from run/ or cli/).
 */
import { Generator, SaddleError, fromArray, keep, noGrad, runBackward, slice, tidy, type Device, type Tensor } from '@saddle/autograd';
import { Adam, ExponentialMovingAverage, SGD, schedules, type Progress, type SafeTensors, type Schedule } from '@saddle/nn';
import { generatorLoss } from '../losses.js';
import { heldOutValue } from '../metrics/value.js';
import { DiscriminatorNet, GeneratorNet, frozenCopyOf, outputBiasFromData, sampleNoise } from '../models.js';
import { DEFAULT_ADAM_BETAS, validateConfig, type GanConfig } from '../presets.js';

/**
 * The config fields a playground may change while training (`GanTrainer.setLive`): each is read at
 * every iteration or step, so a change takes effect at the next one.
 */
export type LiveSettings = Partial<Pick<GanConfig, 'update' | 'gLoss' | 'k' | 'kG' | 'players' | 'dLr' | 'gLr'>>;
import { StepAccumulators } from './accumulators.js';
import { captureState, restoreState, type TrainerSnapshot, type TrainerState } from './checkpoint-state.js';
import { DeviceDataset } from './device-data.js';
import { discriminatorObjective, r1GammaAt } from './d-objective.js';
import { NonFiniteError, nonFiniteStats } from './non-finite.js';
import type { EpochRecord, ImageSet, ProgressInfo, RunningStats } from './records.js';
import { deriveSeed, streamGenerator } from './rng.js';

/** Options of `GanTrainer.epoch`: a stop check and a progress callback. */
export interface EpochOptions {
  /** Checked before every iteration: return true to stop (the state stays consistent: save it). */
  shouldStop?: () => boolean;
  /** Called every `logEvery` iterations, after the statistics were read back. */
  onProgress?: (p: ProgressInfo) => void;
}

/** The epoch loop lets the event loop run (signal handlers, timers) at least this often, in ms. */
const YIELD_EVERY_MS = 20;
// setImmediate in Node; a browser page has none (a timer turns its event loop instead).
const yieldToEventLoop = () => new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** Algorithm 1 of the paper: G, D, their optimizers and the averaged G, trained epoch by epoch. */
export class GanTrainer {
  readonly config: GanConfig;
  readonly G: GeneratorNet;
  readonly D: DiscriminatorNet;
  /**
   * With `gEma`: a second G whose weights are the exponential moving average of G's, updated after
   * every G step (`ExponentialMovingAverage`); null without. It draws the samples and figures.
   */
  readonly Gema: GeneratorNet | null;
  private readonly ema: ExponentialMovingAverage | null;
  readonly optG: SGD | Adam;
  readonly optD: SGD | Adam;
  /** Draws z for training. */
  readonly noise: Generator;
  /** Draws D's dropout masks. */
  readonly dropout: Generator;
  readonly data: DeviceDataset;
  /** The losses and D's mean outputs of the epoch in progress, summed on the device. */
  readonly stats: StepAccumulators;
  /** 0-based epoch in progress. */
  epoch = 0;
  iterInEpoch = 0;
  /**
   * Minibatches of the epoch in progress that D steps have taken (k per iteration; a live change
   * of k changes how many the next iteration takes). The epoch ends when the next iteration's do
   * not fit.
   */
  batchInEpoch = 0;
  totalIterations = 0;
  /** Wall time of the epoch in progress so far. */
  secondsInEpoch = 0;
  history: EpochRecord[] = [];

  private readonly gParams: Tensor[];
  private readonly dParams: Tensor[];
  private readonly targets: Tensor;
  private readonly validation: Tensor | null;
  private disposed = false;

  constructor(
    config: GanConfig,
    train: ImageSet,
    readonly device: Device,
    validation?: ImageSet,
  ) {
    this.config = validateConfig(structuredClone(config));
    const c = this.config;
    if (train.d !== c.generator.outDim) throw new SaddleError('GanTrainer', `training images have ${train.d} pixels; G outputs ${c.generator.outDim}`);
    const n = c.trainN === null ? train.n : Math.min(c.trainN, train.n);
    if (n < c.batch * c.k) {
      throw new SaddleError('GanTrainer', `${n} training images are fewer than one iteration needs (batch ${c.batch} x k ${c.k})`);
    }
    const initGen = streamGenerator(c.seed, 'init');
    this.noise = streamGenerator(c.seed, 'noise');
    this.dropout = streamGenerator(c.seed, 'dropout');
    const ctx = { device, init: initGen };
    const outputBias = outputBiasFromData(train.images, n, train.d);
    this.G = new GeneratorNet(c.generator, ctx, outputBias);
    this.D = new DiscriminatorNet(c.discriminator, ctx, this.dropout);
    if (c.gEma) {
      // The average starts as a copy of G.
      this.Gema = frozenCopyOf(this.G, device);
      this.ema = new ExponentialMovingAverage(this.G.parameters(), this.Gema.parameters(), c.gEma, { rampup: c.gEmaRampup });
    } else {
      this.Gema = null;
      this.ema = null;
    }
    this.gParams = this.G.parameters();
    this.dParams = this.D.parameters();
    this.data = new DeviceDataset(train.images, n, train.d, device, c.seed, c.batch);
    // The per-minibatch decay, and with lrAnneal a linear fall to 0 over the last part of the
    // run's epochs x iterations (D steps k times an iteration under Algorithm 1).
    const runIterations = c.epochs * this.iterationsPerEpoch;
    // Each player's initial rate is read from the config at every step, so `setLive` changes it at
    // once. The fall's position counts the steps the config at construction gives (a live change of
    // k moves where it lands).
    const lr = (initial: () => number, stepsPerIteration: number) =>
      schedules.linearTail((p: Progress) => schedules.exponentialDecay(initial(), c.lrDecay, c.lrFloor)(p), runIterations * stepsPerIteration, c.lrAnneal ?? 0);
    const momentum = schedules.linearRamp(c.momentumStart, c.momentumEnd, c.momentumStartEpoch, c.momentumEndEpoch);
    const alternating = c.update === 'alternating';
    const optimizer = (params: Tensor[], rate: Schedule): SGD | Adam =>
      c.optimizer === 'adam' ? new Adam(params, { lr: rate, betas: c.adamBetas ?? DEFAULT_ADAM_BETAS }) : new SGD(params, { lr: rate, momentum });
    this.optG = optimizer(
      this.gParams,
      lr(() => c.gLr ?? c.lr, alternating ? (c.kG ?? 1) : 1),
    );
    this.optD = optimizer(
      this.dParams,
      lr(() => c.dLr ?? c.lr, alternating ? c.k : 1),
    );
    const t = new Float32Array(2 * c.batch);
    t.fill(1, 0, c.batch);
    this.targets = keep(fromArray(t, [2 * c.batch, 1], { device }));
    const valN = validation ? Math.min(c.valN, validation.n) : 0;
    this.validation = valN > 0 ? keep(fromArray(validation!.images.subarray(0, valN * validation!.d), [valN, validation!.d], { device })) : null;
    this.stats = new StepAccumulators(device, c.batch);
  }

  /** Training iterations in one epoch: every iteration takes k minibatches (one when simultaneous). */
  get iterationsPerEpoch(): number {
    return Math.floor(this.data.batchesPerEpoch / this.config.k);
  }

  /** Minibatches in one epoch. */
  get batchesPerEpoch(): number {
    return this.data.batchesPerEpoch;
  }

  /** Minibatches the next iteration's D steps take: k, or none when G trains alone. */
  private get batchesPerIteration(): number {
    return this.config.players === 'G' ? 0 : this.config.k;
  }

  /** Whether the epoch in progress has room for the next iteration's minibatches. */
  get epochHasRoom(): boolean {
    return this.batchInEpoch + this.batchesPerIteration <= this.data.batchesPerEpoch;
  }

  /**
   * Changes the fields of `LiveSettings` between two iterations (a playground's controls): checked
   * as the config is (a SaddleError naming the field and what it expects; nothing changes then),
   * and k no larger than an epoch's minibatches. Algorithm 1 is unchanged: the next iteration runs
   * k D steps on the epoch's next minibatches, then kG G steps, with the learning rates given.
   */
  setLive(changes: LiveSettings): void {
    this.checkAlive();
    const next = validateConfig({ ...structuredClone(this.config), ...changes });
    if (next.k > this.data.batchesPerEpoch) {
      throw new SaddleError('GanTrainer.setLive', `k is ${next.k}; expected at most the ${this.data.batchesPerEpoch} minibatches of ${next.batch} in an epoch`);
    }
    Object.assign(this.config, changes);
  }

  /** Noise z: [n, zDim], uniform on [-sqrt 3, sqrt 3] or standard normal. */
  sampleZ(n: number, generator: Generator): Tensor {
    return sampleNoise(n, this.config.generator.zDim, this.config.zDist, generator, this.device);
  }

  // ------------------------------------------------------------------ Algorithm 1

  /**
   * One iteration of Algorithm 1 (k D steps, then one G step), or one simultaneous update, on the
   * epoch's next minibatches; one submit. Call `startEpoch` first (runEpoch does).
   */
  iteration(): void {
    this.checkAlive();
    const c = this.config;
    const players = c.players ?? 'both';
    tidy(() => {
      // D steps are numbered over the whole run (the R1 schedule of --r1-every counts them).
      if (c.update === 'alternating' || players !== 'both') {
        for (let j = 0; players !== 'G' && j < c.k; j++) this.dStep(this.data.batch(this.batchInEpoch++), this.totalIterations * c.k + j);
        for (let j = 0; players !== 'D' && j < (c.kG ?? 1); j++) this.gStep();
      } else {
        this.simultaneousStep(this.data.batch(this.batchInEpoch++), this.totalIterations);
      }
    });
    this.device.flush();
    this.iterInEpoch++;
    this.totalIterations++;
  }

  private dStep(x: Tensor, dStep: number): void {
    const z = this.sampleZ(this.config.batch, this.noise);
    const fake = noGrad(() => this.G.forward(z));
    const { loss, logits, total, penalty } = this.dObjective(x, fake, dStep);
    if (penalty) this.assign(this.dParams, runBackward(total, undefined, false, this.dParams));
    else loss.backward();
    this.optD.step();
    this.optD.zeroGrad();
    this.stats.addD(loss, logits);
  }

  private gStep(): void {
    const z = this.sampleZ(this.config.batch, this.noise);
    // D's weights take no gradient here: backward through D computes only what flows to G.
    for (const p of this.dParams) p.requiresGrad = false;
    let loss: Tensor;
    try {
      loss = generatorLoss(this.D.forward(this.G.forward(z)), this.config.gLoss);
      loss.backward();
    } finally {
      for (const p of this.dParams) p.requiresGrad = true;
    }
    this.optG.step();
    this.optG.zeroGrad();
    this.ema?.update();
    this.stats.addG(loss);
  }

  private simultaneousStep(x: Tensor, dStep: number): void {
    const B = this.config.batch;
    const z = this.sampleZ(B, this.noise);
    const fake = this.G.forward(z);
    const { loss: dLoss, logits, total } = this.dObjective(x, fake, dStep);
    const gLoss = generatorLoss(slice(logits, [B, 0], [B, 1]), this.config.gLoss);
    // Both gradients from the same pass, before either player moves (the G backward reads D's weights).
    const dGrads = runBackward(total, undefined, true, this.dParams);
    const gGrads = runBackward(gLoss, undefined, false, this.gParams);
    this.assign(this.dParams, dGrads);
    this.assign(this.gParams, gGrads);
    this.optD.step();
    this.optG.step();
    this.optD.zeroGrad();
    this.optG.zeroGrad();
    this.ema?.update();
    this.stats.addD(dLoss, logits);
    this.stats.addG(gLoss);
  }

  /** D's objective on this D step: the stacked loss, plus R1 when it applies (d-objective.ts). */
  private dObjective(x: Tensor, fake: Tensor, dStep: number) {
    return discriminatorObjective((t) => this.D.forward(t), x, fake, this.targets, r1GammaAt(this.config, dStep));
  }

  /** Sets each parameter's `.grad` to its gradient from `runBackward`'s map. */
  private assign(params: readonly Tensor[], grads: Map<Tensor, Tensor>): void {
    for (const p of params) p.grad = grads.get(p) ?? null;
  }

  // ------------------------------------------------------------------ the epoch loop

  /** Prepares the epoch in progress: its shuffled data, the optimizers' epoch (momentum schedule). */
  startEpoch(): void {
    this.data.startEpoch(this.epoch);
    this.optD.epoch = this.epoch;
    this.optG.epoch = this.epoch;
  }

  /**
   * Runs the rest of the epoch in progress. Returns its record, or null if `shouldStop` stopped it
   * first (the trainer is then between two iterations: `partialRecord` describes the part done).
   * Throws NonFiniteError when a read of the statistics finds a non-finite loss or parameter (the
   * trainer then holds them: do not save it). Lets the event loop run every few milliseconds, so a
   * signal handler can ask it to stop on any device.
   */
  async runEpoch(options: EpochOptions = {}): Promise<EpochRecord | null> {
    this.checkAlive();
    this.startEpoch();
    const total = () => this.iterationsPerEpoch;
    const logEvery = this.config.logEvery;
    let t0 = performance.now();
    let yielded = t0;
    let checked = this.totalIterations;
    try {
      while (this.epochHasRoom) {
        if (options.shouldStop?.()) {
          // What a checkpoint of this state would hold must be finite: check what ran since the last read.
          if (this.totalIterations > checked) await this.checkedStats(checked);
          return null;
        }
        this.iteration();
        if (this.iterInEpoch % logEvery === 0 || !this.epochHasRoom) {
          const stats = await this.checkedStats(checked);
          checked = this.totalIterations;
          const now = performance.now();
          this.secondsInEpoch += (now - t0) / 1000;
          t0 = now;
          options.onProgress?.({ epoch: this.epoch, iterInEpoch: this.iterInEpoch, iterationsPerEpoch: total(), stats });
        }
        if (performance.now() - yielded >= YIELD_EVERY_MS) {
          await yieldToEventLoop();
          yielded = performance.now();
        }
      }
    } finally {
      // Time since the last read-back (the work is still queued: wait for it so the time is honest).
      await this.stats.settle();
      this.secondsInEpoch += (performance.now() - t0) / 1000;
    }
    return this.finishEpoch();
  }

  /**
   * The running statistics, with a finiteness probe of every parameter in the same read-back;
   * throws NonFiniteError if any is NaN or infinite (`since`: iterations done at the last good read).
   */
  private async checkedStats(since: number): Promise<RunningStats> {
    const named = [...this.G.namedParameters('G.'), ...this.D.namedParameters('D.')];
    const { stats, probes } = await this.stats.read(named.map(([, p]) => p));
    const bad = nonFiniteStats(
      stats,
      named.map(([name]) => name),
      probes,
    );
    if (bad.length) throw new NonFiniteError({ what: bad, epoch: this.epoch, iterInEpoch: this.iterInEpoch, iteration: this.totalIterations, since });
    return stats;
  }

  /** Reads the accumulators back (a sync point): the means so far in this epoch. */
  async runningStats(): Promise<RunningStats> {
    return (await this.stats.read()).stats;
  }

  /**
   * The record of the epoch in progress so far (after a stop inside it), with V(D, G) on the
   * validation set; null if no iteration of it ran. The trainer is unchanged: it can go on or be
   * saved (a resumed run finishes the epoch and records it whole).
   */
  async partialRecord(): Promise<EpochRecord | null> {
    if (this.iterInEpoch === 0) return null;
    return this.makeRecord(true, await this.validationValue(this.epoch));
  }

  private async makeRecord(partial: boolean, value: number | null): Promise<EpochRecord> {
    const stats = await this.runningStats();
    const lrD = this.optD.current().lr;
    const momentum = this.optD instanceof SGD ? this.optD.current().momentum : this.optD.beta1;
    const { lr: lrG } = this.optG.current();
    const rec: EpochRecord = {
      epoch: this.epoch + 1,
      iterations: this.iterInEpoch,
      ...stats,
      value,
      lrD,
      lrG,
      momentum,
      seconds: this.secondsInEpoch,
      msPerIteration: this.iterInEpoch > 0 ? (1000 * this.secondsInEpoch) / this.iterInEpoch : 0,
    };
    if (partial) rec.partial = true;
    return rec;
  }

  private async finishEpoch(): Promise<EpochRecord> {
    const value = await this.validationValue(this.epoch);
    const rec = await this.makeRecord(false, value);
    this.history.push(rec);
    this.epoch++;
    this.iterInEpoch = 0;
    this.batchInEpoch = 0;
    this.secondsInEpoch = 0;
    this.stats.reset();
    return rec;
  }

  // ------------------------------------------------------------------ evaluation

  /**
   * V(D, G) of Eq. (1) on the held-out validation images (metrics/value.ts), with fresh noise from
   * the epoch's own evaluation stream and D and G in eval mode. Null without validation images.
   */
  async validationValue(epoch = this.epoch, chunk = 1000): Promise<number | null> {
    if (!this.validation) return null;
    const gen = new Generator(deriveSeed(this.config.seed, 'value', epoch));
    return heldOutValue({ G: this.G, D: this.D, real: this.validation, sampleZ: (m) => this.sampleZ(m, gen), chunk });
  }

  /** The generator that draws samples: the averaged G with `gEma`, else G. */
  get sampler(): GeneratorNet {
    return this.Gema ?? this.G;
  }

  /** Samples from the sampler (eval mode, no grad) for noise `z` (`[n, zDim]`): `[n, 784]` on the device. */
  generate(z: Tensor): Tensor {
    const g = this.sampler;
    g.eval();
    try {
      return noGrad(() => g.forward(z));
    } finally {
      g.train();
    }
  }

  // ------------------------------------------------------------------ checkpoints (checkpoint-state.ts)

  /** Everything needed to continue exactly: tensors (parameters, velocities, accumulators) and JSON state. */
  async state(): Promise<TrainerSnapshot> {
    this.checkAlive();
    return captureState(this);
  }

  /** Restores `state()`'s output into this trainer (built with the same config). */
  restore(tensors: SafeTensors, meta: TrainerState): void {
    this.checkAlive();
    restoreState(this, tensors, meta);
    // The average is updated after every G step: its warm-up (gEmaRampup) reads how many there were.
    if (this.ema) this.ema.updates = this.optG.stepCount;
  }

  /** Frees the networks, optimizers and device data. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.G.dispose();
    this.Gema?.dispose();
    this.D.dispose();
    this.optG.dispose();
    this.optD.dispose();
    this.data.dispose();
    this.targets.dispose();
    this.validation?.dispose();
    this.stats.dispose();
  }

  private checkAlive(): void {
    if (this.disposed) throw new SaddleError('GanTrainer', 'the trainer was disposed');
  }
}
