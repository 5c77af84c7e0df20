/**
 * Training configurations. `paper` is the authors' MNIST configuration exactly as their code ran it
 * (their pylearn2 YAML): the networks of models.ts, batch 100, SGD with learning rate 0.1 divided by
 * 1.000004 after every minibatch (floor 1e-6), momentum rising linearly from 0.5 to 0.7 between
 * epochs 1 and 250, k = 1, and the simultaneous update of their code (one pass of D over the
 * minibatch and G's samples, both players' gradients from it before either moves). Algorithm 1 as
 * the paper writes it (`update: 'alternating'`) collapses with these networks and hyperparameters
 * (docs/gan.md, "Why Algorithm 1 as written collapses"). `quick` keeps the paper's structure (same
 * layer types, losses, Algorithm 1) with narrower networks, no dropout in D, the R1 penalty and a
 * time budget, for a machine without a GPU. `conv` is `quick` with convolutional networks (the
 * paper's Figure 2 (d), DCGAN). `tiny` is for tests (Algorithm 1).
 */
import { SaddleError } from '@saddle/autograd';
import { GENERATOR_LOSSES, type GeneratorLossKind } from './losses.js';
import type { DiscriminatorArch, GeneratorArch, NoiseDistribution } from './models.js';

/** The distribution of the noise z: uniform or Gaussian. */
export type ZDist = NoiseDistribution;
/** Whether D and G update in turn (Algorithm 1) or from one shared batch of noise. */
export type UpdateMode = 'alternating' | 'simultaneous';
/** Which players update in an iteration: both (Algorithm 1), or one alone while the other is frozen (GAN Lab's "step D only / G only"). */
export type Players = 'both' | 'D' | 'G';
/** Every `Players`. */
export const PLAYERS: readonly Players[] = ['both', 'D', 'G'];
/** A named configuration: `paper` (the MNIST networks), `quick` (no GPU), `conv` (convolutional nets), `tiny` (tests, the demo). */
export type PresetName = 'paper' | 'quick' | 'conv' | 'tiny';

/** Every `PresetName`. */
export const PRESET_NAMES: readonly PresetName[] = ['paper', 'quick', 'conv', 'tiny'];
/** Every `ZDist`. */
export const Z_DISTS: readonly ZDist[] = ['uniform', 'gaussian'];
/** Every `UpdateMode`. */
export const UPDATE_MODES: readonly UpdateMode[] = ['alternating', 'simultaneous'];

/** Everything a training run depends on: networks, optimizer, schedule, data, seed, evaluation. */
export interface GanConfig {
  /** The preset this configuration started from. */
  preset: PresetName;
  generator: GeneratorArch;
  discriminator: DiscriminatorArch;
  /** z ~ U(-sqrt 3, sqrt 3)^zDim (zero mean, unit variance) or N(0, 1)^zDim. */
  zDist: ZDist;
  batch: number;
  /** Discriminator steps per iteration (Algorithm 1's k). */
  k: number;
  /** Generator steps per iteration (absent: 1, as in Algorithm 1). Each draws fresh noise. */
  kG?: number;
  /**
   * Which players update (absent: both). With one alone, an iteration runs only that player's k
   * (or kG) steps, the other's weights untouched; an iteration of G alone takes no training images,
   * so the epoch does not advance (a playground's control; `gan train` always trains both).
   */
  players?: Players;
  update: UpdateMode;
  gLoss: GeneratorLossKind;
  /** Initial learning rate of both players (unless dLr or gLr sets one player's). */
  lr: number;
  /** Initial learning rate of D alone (absent: lr): `--d-lr`; the quick preset's D runs at twice its G's rate. */
  dLr?: number;
  /** Initial learning rate of G alone (absent: lr). An experiment flag (`--g-lr`). */
  gLr?: number;
  /** The learning rate is divided by this after every minibatch update. */
  lrDecay: number;
  lrFloor: number;
  momentumStart: number;
  momentumEnd: number;
  /** Momentum ramps linearly from momentumStart at this epoch ... */
  momentumStartEpoch: number;
  /** ... to momentumEnd at this one. */
  momentumEndEpoch: number;
  /** Epochs to train (a pass over the training images is one epoch). */
  epochs: number;
  /** Wall-clock budget in minutes (stops cleanly at an iteration boundary), or null. */
  minutes: number | null;
  seed: number;
  /** Read the on-device statistics back every this many iterations (progress bar). */
  logEvery: number;
  /** Training images used (the first n of MNIST's 50,000; all by default). */
  trainN: number | null;
  /** Validation images for the per-epoch estimate of V(D, G) (0: skip). */
  valN: number;
  /** Parzen estimate every this many epochs (0: never; it is expensive: use `gan eval`). */
  parzenEvery: number;
  /**
   * Decay of an exponential moving average of G's weights (0 or absent: none). When set, the
   * samples, figures and Parzen estimates come from the averaged G; training and V(D, G) use G.
   */
  gEma?: number;
  /**
   * The average's warm-up: its horizon (1 / (1 − decay) updates) grows as this times the G steps
   * taken, up to gEma's (0 or absent: none, the average weighs the initial G by gEma^steps).
   */
  gEmaRampup?: number;
  /**
   * Anneal the learning rates: over the last this fraction of the run (`epochs` x iterations per
   * epoch) both players' rates fall linearly to 0 (0 or absent: none). The run's length is its
   * epochs, so a run stopped earlier by `minutes` ends before the fall is complete.
   */
  lrAnneal?: number;
  /**
   * Weight gamma of the R1 gradient penalty on D (Mescheder et al. 2018): gamma/2 E||∇ₓ D(x)||² on
   * the real minibatch is added to D's loss (train/d-objective.ts). 0: off (the default).
   */
  r1Gamma: number;
  /** Lazy regularization: apply R1 on every N-th D step only, with gamma·N (1: every step). */
  r1Every: number;
  /**
   * Both players' optimizer: 'sgd', SGD with momentum (the paper's; absent: 'sgd'), or 'adam', Adam
   * with `adamBetas` (Kingma & Ba 2015; the `quick` preset's). The learning rate, its decay and
   * anneal apply to either; the momentum schedule only to SGD.
   */
  optimizer?: 'sgd' | 'adam';
  /** Adam's decay rates (beta1, beta2) when `optimizer` is 'adam' (absent: [0.5, 0.999], DCGAN's). */
  adamBetas?: [number, number];
}

/** Each optimizer's learning rate in the presets (`--optimizer` without `--lr` takes it): the paper's SGD, DCGAN's Adam. */
export const OPTIMIZER_LEARNING_RATES: Readonly<Record<'sgd' | 'adam', number>> = { sgd: 0.1, adam: 0.0002 };

/** Adam's (beta1, beta2) when the config names none: DCGAN's (Radford et al. 2015). */
export const DEFAULT_ADAM_BETAS: readonly [number, number] = [0.5, 0.999];

const MNIST_DIM = 784;

function paper(): GanConfig {
  return {
    preset: 'paper',
    generator: { zDim: 100, hidden: [1200, 1200], outDim: MNIST_DIM, initRange: 0.05 },
    discriminator: { inDim: MNIST_DIM, units: [240, 240], pieces: 5, initRange: 0.005, keepInput: 0.8, keepHidden: 0.5 },
    zDist: 'uniform',
    batch: 100,
    k: 1,
    // The authors' code, not Algorithm 1 as printed: with the alternating update these networks and
    // hyperparameters collapse (D(G(z)) -> 0.0005 by epoch 8, every sample the same stroke).
    update: 'simultaneous',
    gLoss: 'non-saturating',
    lr: 0.1,
    lrDecay: 1.000004,
    lrFloor: 1e-6,
    momentumStart: 0.5,
    momentumEnd: 0.7,
    momentumStartEpoch: 1,
    momentumEndEpoch: 250,
    epochs: 300,
    minutes: null,
    seed: 1,
    logEvery: 50,
    trainN: null,
    valN: 10_000,
    parzenEvery: 0,
    r1Gamma: 0,
    r1Every: 1,
  };
}

/**
 * The preset for a machine without a GPU: 9 minutes on the `wasm` device (2 CPU cores), chosen by
 * experiment in December 2026 (docs/gan.md, "How the no-GPU preset was chosen"). The paper's
 * structure (ReLU G with a sigmoid output and the mean-pixel output bias, maxout D, Algorithm 1 with
 * k = 1, the non-saturating G loss, SGD with momentum and the per-minibatch learning-rate decay),
 * with:
 *
 * - G 100-384-384-784 and D maxout (128 x 2)-(128 x 2)-1. The paper's networks (G 1200-1200, D
 *   240 x 5) cost ~55 ms an iteration on wasm: ~9 800 iterations in 9 minutes; this pair ~8.6 ms.
 *   With G 128-128 (the lavapipe-era preset) D overpowers G after ~50 000 iterations; a 384-wide G
 *   keeps the game balanced;
 * - G's output layer starts at U(±0.01) (the hidden layers at U(±0.2)). Our reading of the specks:
 *   the output layer's random start puts pixel patterns in G's samples that a small D (256
 *   first-layer projections of 784 pixels) hardly sees, so they get almost no gradient and stay for
 *   the whole run. Started near zero, G's output is the mean digit plus what D's gradients put
 *   there. With the next two changes: Parzen 127 -> 173 and specks per sample 1.24 -> 0.27 at
 *   18 000 iterations (seed 1). Alone, with the paper's dropout in D and no R1, it did not help
 *   (80 at 18 000);
 * - no dropout in D (keep 1 on the pixels and the hidden units; the paper: 0.8 and 0.5): a small
 *   D with dropout is too weak to teach G fine detail (Parzen 122 with the paper's dropout, 143
 *   without the hidden dropout, at 54 000 iterations with R1, before the output-layer change);
 * - the R1 penalty on D (lazily on every 4th D step; Mescheder et al. 2018) keeps the stronger D
 *   from overpowering G: without it a run of the new output layer and D without hidden dropout
 *   reached 131 at 18 000 iterations, with gamma 1 171. It costs ~10% of an iteration. Its weight
 *   is gamma 0.2 since the fifth round (docs/gan.md): seed 2 at 25 000 iterations gave Parzen
 *   209.4 with gamma 1, 215.7 with 0.05, 221.7 with 0.2; at 50 000, 198.5 with 1 and 202.0 with
 *   0.2. At the 65 000-70 000 iterations of a quiet machine's 9 minutes the Parzen gain is gone
 *   (seeds 1-3: 197.0 against 197.6) and the specks are 6% fewer (0.219 against 0.232 per sample);
 * - the samples, figures and Parzen estimate come from an exponential moving average of G's
 *   weights, with decay 0.99998 warmed up by `gEmaRampup` 1 since the eighth round (the horizon
 *   grows as the G steps taken, up to 50 000: the whole run's iterates, equally weighted, until
 *   then; the last ~50 000 at the main job's ~85 000, where the initial G no longer counts). On
 *   seed 2 at 85 000 iterations, the same training averaged several ways: 0.9999 gave Parzen 208.4
 *   and 0.213 specks per sample, 0.99995 warmed up by 0.5 218.7 and 0.177, 0.99998 by 0.5 (the
 *   seventh round's) 225.7 and 0.151, 0.99998 by 1 241.9 and 0.124 (G's own weights: 173.2 and
 *   0.435). Three more trainings of that seed (Adam's beta2 0.9, R1 gamma 0.05, a learning-rate
 *   anneal) averaged the same ways stayed at 0.12-0.13 specks (docs/gan.md, "Eighth round"). Before: decay 0.9999
 *   without a warm-up (the fourth round; a horizon of ~10,000 iterations). At a fixed 50,000 iterations it gave
 *   Parzen 198.6 (seeds 1-3: 196.1, 198.5, 201.2) where the timed main job with 0.999 gave 191.0
 *   at 52,000-58,000 iterations, and specks per sample 0.225 against 0.256 (docs/gan.md, "Fourth
 *   round"): the same training (the average reads G and writes only its own tensors), a better
 *   average. The browser playground, watched from the first iteration, caps it at 0.999 (demo's pageGEma);
 * - Adam instead of the paper's SGD with momentum (sixth round, docs/gan.md): with DCGAN's betas
 *   (0.5, 0.999) at 2e-4 for both players the 9-minute main job gave Parzen 211.6, 209.2 and 208.2
 *   for seeds 1-3 (mean 209.7) against SGD's 193.5, 200.4 and 197.0 (mean 197.0), and 0.205
 *   specks per sample against 0.219. Seventh round (seed 2): D at twice G's rate (4e-4) gave
 *   247.1 against 217.7 at 25 000 iterations (210.8 at 65 000), and beta2 0.99 with it fewer
 *   specks (0.133 against 0.152 at 25 000, 0.196 against 0.207 at 65 000) for the same Parzen
 *   (245.5 and 212.3); beta2 0.99 alone blurs the samples (184.3 at 25 000). The paper's
 *   per-minibatch decay of the learning rate (1.000004) applies as before; the momentum settings
 *   below are SGD's and unused;
 * - batch 50: twice the updates for the same work;
 * - wider initial weights: G's hidden layers U(±0.2) (He-like for fan-in 100-384: with ±0.05 G's
 *   output hardly depends on z at first, and it collapses onto the mean digit), D U(±0.05) (with
 *   ±0.005 D needs ~400 iterations before it learns anything);
 * - momentum at its final value 0.7 from the start (the paper's ramp spans 250 epochs; SGD's, kept
 *   for `--optimizer sgd` and for `conv`, which trains with SGD);
 * - no learning-rate anneal (`lrAnneal`): a fall to 0 over the last ~4 500 iterations gave no
 *   gain on the main job's end points (docs/gan.md, "Third round").
 */
function quick(): GanConfig {
  return {
    ...paper(),
    preset: 'quick',
    update: 'alternating',
    generator: { zDim: 100, hidden: [384, 384], outDim: MNIST_DIM, initRange: 0.2, outputInitRange: 0.01 },
    discriminator: { inDim: MNIST_DIM, units: [128, 128], pieces: 2, initRange: 0.05, keepInput: 1, keepHidden: 1 },
    batch: 50,
    momentumStart: 0.7,
    momentumEnd: 0.7,
    epochs: 100,
    minutes: 9,
    logEvery: 25,
    valN: 1000,
    gEma: 0.99998,
    gEmaRampup: 1,
    r1Gamma: 0.2,
    r1Every: 4,
    optimizer: 'adam',
    adamBetas: [0.5, 0.99],
    lr: 0.0002,
    dLr: 0.0004,
  };
}

/**
 * `quick` with convolutional networks, in the spirit of the paper's Figure 2 (d) and DCGAN
 * (Radford et al. 2015), small enough for wasm on 2 cores:
 *
 *   G: z (100) -> Linear 1568, ReLU -> 32 x 7 x 7 -> ConvTranspose2d 4x4 s2 -> 16 x 14 x 14, ReLU
 *      -> ConvTranspose2d 4x4 s2 -> 1 x 28 x 28, + per-pixel bias (the mean digit's logit) -> sigmoid
 *   D: 1 x 28 x 28 -> Conv2d 4x4 s2 -> 16 x 14 x 14, leaky ReLU 0.2 -> Conv2d 4x4 s2 -> 32 x 7 x 7,
 *      leaky ReLU 0.2 -> Linear 1568 -> 1 logit
 *
 * 0.61 M multiply-adds per sample in G's forward pass and 0.45 M in D's (1.06 M together), against
 * 0.49 M and 0.23 M (0.72 M) for `quick`'s MLPs: about 1.5x quick's arithmetic per iteration. No
 * BatchNorm in G: the averaged G (`gEma`) copies parameters, not BatchNorm's running statistics, so
 * it would sample with statistics it never tracked; no dropout in D (keep 1), as in
 * `quick` (a small D with dropout is too weak). The training recipe is quick's before its fifth
 * and sixth rounds, kept because the conv figures were measured with it: SGD with momentum 0.7 and
 * learning rate 0.1 (quick has Adam at 2e-4 since), batch 50, R1 (gamma 1, every 4th D step),
 * the averaged G, 9 minutes. It is not tuned for the
 * convolutional nets (docs/gan.md, "The convolutional preset": behind quick per iteration too).
 */
function conv(): GanConfig {
  const q: GanConfig = quick();
  // Quick's Adam settings do not apply: conv trains both players with SGD at one rate.
  delete q.adamBetas;
  delete q.dLr;
  delete q.gEmaRampup;
  return {
    ...q,
    preset: 'conv',
    // ~19,000 iterations in its 9 minutes on 2 threads (direct-GEMM conv kernels; 2,000-5,000 with
    // im2col): with 0.9999 and no warm-up the initial G would still hold ~15% of the average.
    gEma: 0.999,
    r1Gamma: 1,
    optimizer: 'sgd',
    lr: 0.1,
    generator: { zDim: 100, hidden: [], outDim: MNIST_DIM, initRange: 0.2, outputInitRange: 0.01, conv: { channels: [32, 16] } },
    discriminator: { inDim: MNIST_DIM, units: [], pieces: 1, initRange: 0.05, keepInput: 1, keepHidden: 1, conv: { channels: [16, 32], slope: 0.2 } },
  };
}

/** Small enough for tests: a few seconds per epoch on 2 CPU cores. */
function tiny(): GanConfig {
  return {
    ...paper(),
    preset: 'tiny',
    update: 'alternating',
    generator: { zDim: 8, hidden: [16], outDim: MNIST_DIM, initRange: 0.05 },
    discriminator: { inDim: MNIST_DIM, units: [8], pieces: 2, initRange: 0.005, keepInput: 0.8, keepHidden: 0.5 },
    batch: 10,
    epochs: 2,
    logEvery: 5,
    trainN: 100,
    valN: 50,
  };
}

/** The facts about the device that decide `gan train`'s preset when `--preset` is not given. */
export interface DeviceFacts {
  /** A WebGPU adapter on real graphics hardware (not lavapipe or SwiftShader). */
  hardwareGpu: boolean;
  /** A software WebGPU adapter. */
  software: boolean;
  /** The device's kind ('webgpu', 'wasm', 'cpu'). */
  kind: string;
}

/**
 * The preset `gan train` uses without `--preset`, and why: `paper` (the authors' configuration,
 * with their simultaneous update) on a hardware GPU, `quick` anywhere else.
 */
export function defaultPreset(device: DeviceFacts): { name: PresetName; reason: string } {
  if (device.hardwareGpu) return { name: 'paper', reason: "a GPU was found: the paper configuration (the authors' simultaneous update)" };
  return { name: 'quick', reason: `no hardware GPU (${device.software ? 'software adapter' : `${device.kind} device`}): the quick preset` };
}

/** A fresh copy of the configuration of preset `name`; a SaddleError for an unknown name. */
export function preset(name: PresetName): GanConfig {
  switch (name) {
    case 'paper':
      return paper();
    case 'quick':
      return quick();
    case 'conv':
      return conv();
    case 'tiny':
      return tiny();
    default:
      throw new SaddleError('preset', `unknown preset '${String(name)}'; expected one of ${PRESET_NAMES.join(', ')}`);
  }
}

/**
 * Throws a SaddleError naming the first field that is out of range. A config saved before a field
 * existed (a checkpoint of an older run) gets that field's default, which is what the run used.
 */
export function validateConfig(c: GanConfig): GanConfig {
  c.r1Gamma ??= 0;
  c.r1Every ??= 1;
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new SaddleError('config', `${field} is ${JSON.stringify(value)}; expected ${expected}`);
  };
  const posInt = (field: string, v: number) => (Number.isInteger(v) && v > 0 ? undefined : fail(field, v, 'a positive integer'));
  const nonNegInt = (field: string, v: number) => (Number.isInteger(v) && v >= 0 ? undefined : fail(field, v, 'a non-negative integer'));
  const prob = (field: string, v: number) => (v > 0 && v <= 1 ? undefined : fail(field, v, 'a probability in (0, 1]'));
  posInt('generator.zDim', c.generator.zDim);
  c.generator.hidden.forEach((w, i) => posInt(`generator.hidden[${i}]`, w));
  posInt('generator.outDim', c.generator.outDim);
  posInt('discriminator.inDim', c.discriminator.inDim);
  if (c.discriminator.inDim !== c.generator.outDim) fail('discriminator.inDim', c.discriminator.inDim, `G's output size ${c.generator.outDim}`);
  c.discriminator.units.forEach((w, i) => posInt(`discriminator.units[${i}]`, w));
  const convChannels = (field: string, conv: { channels: readonly number[] } | undefined, layers: readonly number[], layersField: string) => {
    if (conv === undefined) return;
    if (!Array.isArray(conv.channels) || conv.channels.length === 0) fail(`${field}.channels`, conv.channels, 'a non-empty list of channel counts');
    conv.channels.forEach((w, i) => posInt(`${field}.channels[${i}]`, w));
    if (layers.length !== 0) fail(layersField, layers, `[] with ${field} (a convolutional net has no MLP layers)`);
  };
  convChannels('generator.conv', c.generator.conv, c.generator.hidden, 'generator.hidden');
  convChannels('discriminator.conv', c.discriminator.conv, c.discriminator.units, 'discriminator.units');
  const slope = c.discriminator.conv?.slope;
  if (slope !== undefined && !(slope >= 0 && slope < 1)) fail('discriminator.conv.slope', slope, 'a number in [0, 1)');
  posInt('discriminator.pieces', c.discriminator.pieces);
  prob('discriminator.keepInput', c.discriminator.keepInput);
  prob('discriminator.keepHidden', c.discriminator.keepHidden);
  if (!(c.generator.initRange > 0)) fail('generator.initRange', c.generator.initRange, 'a positive number');
  const outRange = c.generator.outputInitRange;
  if (outRange !== undefined && !(outRange > 0)) fail('generator.outputInitRange', outRange, 'a positive number');
  if (!(c.discriminator.initRange > 0)) fail('discriminator.initRange', c.discriminator.initRange, 'a positive number');
  if (!Z_DISTS.includes(c.zDist)) fail('zDist', c.zDist, Z_DISTS.join(' or '));
  if (!UPDATE_MODES.includes(c.update)) fail('update', c.update, UPDATE_MODES.join(' or '));
  if (!GENERATOR_LOSSES.includes(c.gLoss)) fail('gLoss', c.gLoss, GENERATOR_LOSSES.join(' or '));
  posInt('batch', c.batch);
  posInt('k', c.k);
  if (c.kG !== undefined) posInt('kG', c.kG);
  if (c.players !== undefined && !PLAYERS.includes(c.players)) fail('players', c.players, PLAYERS.join(' or '));
  if (c.update === 'simultaneous' && (c.kG ?? 1) !== 1)
    fail('kG', c.kG, '1 with the simultaneous update (both players step once, from the same pass of D): choose the alternating update for k > 1');
  if (c.update === 'simultaneous' && c.k !== 1)
    fail(
      'k',
      c.k,
      "1 with --update simultaneous (the paper preset's default; both players update from the same minibatch): give --update alternating for Algorithm 1 with k > 1",
    );
  if (!(c.lr > 0 && Number.isFinite(c.lr))) fail('lr', c.lr, 'a positive number');
  for (const f of ['dLr', 'gLr'] as const) if (c[f] !== undefined && !(c[f] > 0 && Number.isFinite(c[f]))) fail(f, c[f], 'a positive number (absent: lr)');
  if (!(c.lrDecay >= 1 && Number.isFinite(c.lrDecay))) fail('lrDecay', c.lrDecay, 'a number >= 1');
  if (!(c.lrFloor >= 0)) fail('lrFloor', c.lrFloor, 'a non-negative number');
  for (const f of ['momentumStart', 'momentumEnd'] as const) if (!(c[f] >= 0 && c[f] < 1)) fail(f, c[f], 'a number in [0, 1)');
  if (!(c.momentumEndEpoch >= c.momentumStartEpoch)) fail('momentumEndEpoch', c.momentumEndEpoch, `>= momentumStartEpoch (${c.momentumStartEpoch})`);
  posInt('epochs', c.epochs);
  if (c.minutes !== null && !(c.minutes > 0 && Number.isFinite(c.minutes))) fail('minutes', c.minutes, 'a positive number');
  if (!(Number.isSafeInteger(c.seed) && c.seed >= 0)) fail('seed', c.seed, 'a non-negative integer');
  posInt('logEvery', c.logEvery);
  if (c.trainN !== null) posInt('trainN', c.trainN);
  nonNegInt('valN', c.valN);
  nonNegInt('parzenEvery', c.parzenEvery);
  if (c.lrAnneal !== undefined && !(c.lrAnneal >= 0 && c.lrAnneal <= 1)) fail('lrAnneal', c.lrAnneal, 'a fraction in [0, 1] (0: no anneal)');
  if (c.gEma !== undefined && !(c.gEma >= 0 && c.gEma < 1)) fail('gEma', c.gEma, 'a number in [0, 1) (0: no average)');
  if (c.gEmaRampup !== undefined && !(c.gEmaRampup >= 0 && Number.isFinite(c.gEmaRampup))) fail('gEmaRampup', c.gEmaRampup, 'a finite number >= 0 (0: none)');
  if (!(c.r1Gamma >= 0 && Number.isFinite(c.r1Gamma))) fail('r1Gamma', c.r1Gamma, 'a non-negative number (0: no R1 penalty)');
  posInt('r1Every', c.r1Every);
  if (c.optimizer !== undefined && c.optimizer !== 'sgd' && c.optimizer !== 'adam') fail('optimizer', c.optimizer, "'sgd' or 'adam'");
  if (c.adamBetas !== undefined) {
    if (!Array.isArray(c.adamBetas) || c.adamBetas.length !== 2 || !c.adamBetas.every((b) => typeof b === 'number' && b >= 0 && b < 1)) {
      fail('adamBetas', c.adamBetas, '[beta1, beta2], each a number in [0, 1)');
    }
  }
  return c;
}
