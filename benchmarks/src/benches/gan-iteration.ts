/**
 * gan: one training iteration of Algorithm 1 (k = 1: one discriminator step, then one generator
 * step) of the paper's MNIST GAN, batch 100, with D's dropout and SGD with momentum.
 *
 * saddle: `GanTrainer.iteration()` of @saddle/gan, the trainer's own hot path, unchanged: in one
 * `tidy` it draws z on the device, runs G under noGrad, D on the real and fake batches stacked into
 * one [200, 784] batch (dropout on every layer's input), the stacked sigmoid-BCE loss, backward,
 * the momentum update of D's parameters; then fresh z, D(G(z)) with D's weights frozen, the
 * non-saturating loss, backward into G, G's update; the running statistics are added up on the
 * device; and it submits once. Nothing is read back.
 *
 * tfjs: the same networks and the same math in tfjs-core ops. G is `tf.fused.matMul` with bias and
 * ReLU / sigmoid (tfjs itself falls back to matMul + add + activation inside a gradient scope); D
 * is dropout (an explicit mask `floor(U[0,1) + keep) / keep`, exactly what `tf.dropout` computes),
 * `tf.fused.matMul` with bias, maxout as reshape [n, 240, 5] + max over the last axis, and a linear
 * output; the losses are `tf.losses.sigmoidCrossEntropy` from the logits (D's on the stacked
 * batch against B ones and B zeros, G's against ones); gradients by `tf.variableGrads` over the
 * stepping player's variables only; the update is saddle's SGD written as tfjs ops per parameter
 * (v ← momentum·v − lr·g; p ← p + v, with `assign`), with the trainer's own learning-rate and
 * momentum schedules; the same on-device running statistics. Noise is `tf.randomUniform` in
 * [−√3, √3) (tfjs draws it, and the dropout masks, in JavaScript and uploads them; saddle draws
 * both on the device: each library's own way of doing the same step).
 *
 * Same math, checked: before timing, each runner runs one iteration from the same initial state
 * (saddle's initialization from the same seed; tfjs's variables are loaded with it) on the same
 * minibatch, with the same noise and the same dropout masks (tfjs gets the values saddle's Philox
 * streams draw, computed by saddle's CPU twins), and the momentum velocity of every parameter of
 * G and D after it (v = −lr·g: the update each parameter received) is compared across runners,
 * each layer's scaled by its largest entry. (The updates are 1e-5 … 1e-3 while the parameters
 * are ~0.05, so comparing the parameters themselves would check almost nothing, and their
 * differences p_after − p_before carry the rounding of p, an ulp of 0.05 against updates of 1e-5.)
 *
 * Data: synthetic images (seeded uniform pixels in [0, 1)), 1000 of them (10 minibatches, cycled):
 * the time of an iteration does not depend on what the pixels show.
 */
import { cpu, dropoutMask, rand, type Tensor } from '@saddle/autograd';
import { schedules } from '@saddle/nn';
import type * as TF from '@tensorflow/tfjs-core';
import { GanTrainer, preset, type GanConfig, type PresetName } from '@saddle/gan';
import type { Bench, BenchCase, Instance, SaddleCtx, TfCtx, TorchCtx } from '../harness.js';
import { tfDropoutMask, BENCH_RATIOS, f32Base64 } from './common.js';
import { uniformData } from './matmul.js';

const PIXELS = 784;
/** Training images in the bench's dataset (10 minibatches of 100; iterations cycle through them). */
export const BENCH_IMAGES = 1000;
const SEED = 1;
const SQRT3 = Math.sqrt(3);

/**
 * The trainer configuration a case runs: a preset, with no validation set and the bench's seed,
 * without the moving average of G (`gEma`) and without the R1 penalty (`r1Gamma`): the peers train
 * the same two players with Algorithm 1's two losses and keep no average. The quick preset's lazy R1
 * step (one D step in four) costs the wasm iteration about 10% (`benchmarks/src/r1-cost-probe.ts`).
 * Both presets run Algorithm 1's alternating update here, the iteration the peers implement: the
 * paper preset trains with the simultaneous update by default, whose iteration is cheaper (one
 * forward pass of D and of G instead of two). Both run the paper's SGD with momentum (learning
 * rate 0.1), the update the peers implement: the quick preset trains with Adam since its sixth
 * round (docs/gan.md), whose update costs the wasm iteration about 20% more.
 */
export function benchConfig(name: PresetName): GanConfig {
  return { ...preset(name), update: 'alternating', valN: 0, trainN: null, seed: SEED, gEma: 0, r1Gamma: 0, r1Every: 1, optimizer: 'sgd', lr: 0.1 };
}

/** Seeded uniform pixels in [0, 1), n × 784. */
export function syntheticImages(n: number, seed = 123): Float32Array {
  return uniformData(n * PIXELS, seed).map((v) => 0.5 * (v + 1));
}

/**
 * One training iteration that cycles through the epoch's minibatches without ending the epoch
 * (which reads statistics back): past the epoch's last minibatch it wraps to the first. The trainer
 * must have started an epoch (`startEpoch()`).
 */
export function steadyIteration(t: GanTrainer): void {
  if (!t.epochHasRoom) {
    t.iterInEpoch = 0;
    t.batchInEpoch = 0;
  }
  t.iteration();
}

/** A human-readable description of a configuration's networks. */
export function describeConfig(c: GanConfig): string {
  const g = [c.generator.zDim, ...c.generator.hidden, c.generator.outDim].join('→');
  const d = [String(c.discriminator.inDim), ...c.discriminator.units.map((u) => `${u}×${c.discriminator.pieces}`), '1'].join('→');
  return `G ${g}, D maxout ${d}, B=${c.batch}, k=${c.k}`;
}

/** Multiply-adds of the matrix products in one iteration (k = 1), for the record. */
export function iterationMacs(c: GanConfig): number {
  const B = c.batch;
  const gw = [c.generator.zDim, ...c.generator.hidden, c.generator.outDim];
  const dw = [c.discriminator.inDim, ...c.discriminator.units.map((u) => u * c.discriminator.pieces)];
  const dIn = [c.discriminator.inDim, ...c.discriminator.units];
  const gLayers = gw.slice(1).map((o, i) => gw[i]! * o);
  const dLayers = [...dw.slice(1).map((o, i) => dIn[i]! * o), dIn.at(-1)!];
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const gFwd = sum(gLayers);
  const dFwd = sum(dLayers);
  // D step: G forward (B rows), D forward (2B), D backward: dW of every layer, dX of all but the first.
  const dStep = B * gFwd + 2 * B * dFwd + 2 * B * (dFwd + sum(dLayers.slice(1)));
  // G step: G forward, D forward (B), D backward dX only (all layers), G backward: dW of every layer, dX of all but the first.
  const gStep = B * gFwd + B * dFwd + B * dFwd + B * (gFwd + sum(gLayers.slice(1)));
  return dStep + gStep;
}

/** Everything the tfjs side needs to start where saddle's trainer starts, and to replay its first iteration. */
interface Fixture {
  config: GanConfig;
  /** The training images in epoch 0's shuffled order (minibatch i is rows i·B … i·B + B − 1). */
  ordered: Float32Array;
  /** Initial parameters: G's layers (W, b)…, then D's hidden layers (W, b)…, then D's output (W, b). */
  params: { shape: number[]; data: Float32Array }[];
  gCount: number;
  /** The noise and masks of the first iteration, as saddle's streams draw them: z, D-step masks, z, G-step masks. */
  draws: { zD: Float32Array; masksD: Float32Array[]; zG: Float32Array; masksG: Float32Array[] };
}

/** G's parameters, then D's, in registration order: each layer's (weight, bias), layer by layer (D: hidden layers, then output). */
function trainerParams(t: GanTrainer): Tensor[] {
  return [...t.G.parameters(), ...t.D.parameters()];
}

/** Built on the CPU device (synchronously: the values are in host memory), from the same seed as the trainer. */
function makeFixture(config: GanConfig, images: Float32Array): Fixture {
  const t = new GanTrainer(config, { images, n: BENCH_IMAGES, d: PIXELS }, cpu);
  try {
    const params: Fixture['params'] = [];
    for (const p of trainerParams(t)) params.push({ shape: [...p.shape], data: hostCopy(p) });
    const order = t.data.order(0);
    const ordered = new Float32Array(BENCH_IMAGES * PIXELS);
    for (let i = 0; i < BENCH_IMAGES; i++) ordered.set(images.subarray(order[i]! * PIXELS, (order[i]! + 1) * PIXELS), i * PIXELS);
    const noise = t.noise.clone();
    const drop = t.dropout.clone();
    const B = config.batch;
    const d = config.discriminator;
    const z = () => grab(rand([B, config.generator.zDim], { low: -SQRT3, high: SQRT3, generator: noise, device: cpu }));
    // A mask per dropout that draws one: saddle skips the draw where keep is 1 (no dropout).
    const masks = (rows: number) =>
      [d.inDim, ...d.units].flatMap((w, i) => {
        const keep = i === 0 ? d.keepInput : d.keepHidden;
        return keep < 1 ? [grab(dropoutMask([rows, w], keep, { generator: drop, device: cpu }))] : [];
      });
    const zD = z();
    const masksD = masks(2 * B);
    const zG = z();
    const masksG = masks(B);
    return { config, ordered, params, gCount: t.G.parameters().length, draws: { zD, masksD, zG, masksG } };
  } finally {
    t.dispose();
  }
}

/** The momentum velocities after the trainer's iterations: G's parameters' then D's, in trainerParams order. */
async function trainerVelocities(t: GanTrainer): Promise<Float32Array[]> {
  const velocities = async (opt: GanTrainer['optG']) => {
    const { tensors } = await opt.stateDict();
    return opt.params.map((_, i) => Float32Array.from(tensors[`velocity.${i}`]!.data));
  };
  return [...(await velocities(t.optG)), ...(await velocities(t.optD))];
}

/**
 * Per parameter, 1 / max |v| over its layer's velocities (weight and bias) after saddle's first
 * iteration on the CPU (whose twins compute in doubles). The checked output is every velocity times
 * its scale, so each layer's update is compared at the scale of its own largest entry: G's updates
 * are ~1e-5, D's ~1e-3, and a parameter ~0.05. Per layer rather than per tensor because a bias's
 * gradient can be a sum of terms that cancel (D's output bias: the mean of σ(l) − t over B real
 * and B fake rows, ≈ 0 at initialization), which f32 sums to a relative accuracy no better than
 * 1e-4 in any library.
 */
async function referenceScales(config: GanConfig, images: Float32Array): Promise<number[]> {
  const t = new GanTrainer(config, { images, n: BENCH_IMAGES, d: PIXELS }, cpu);
  try {
    t.startEpoch();
    t.iteration();
    const maxes = (await trainerVelocities(t)).map((v) => {
      let m = 0;
      for (let j = 0; j < v.length; j++) m = Math.max(m, Math.abs(v[j]!));
      return m;
    });
    // Parameters come in (weight, bias) pairs, layer by layer.
    return maxes.map((_, i) => {
      const m = Math.max(maxes[i - (i % 2)]!, maxes[i - (i % 2) + 1]!);
      return m > 0 ? 1 / m : 1;
    });
  } finally {
    t.dispose();
  }
}

/** The check's output: every velocity scaled by its parameter's reference scale, concatenated. */
function scaled(vs: ArrayLike<number>[], scales: number[]): Float32Array {
  const out = new Float32Array(vs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  vs.forEach((a, i) => {
    for (let j = 0; j < a.length; j++) out[o + j] = a[j]! * scales[i]!;
    o += a.length;
  });
  return out;
}

/** A dense CPU tensor's values. */
function hostCopy(t: Tensor): Float32Array {
  if (!t.isDense || t.device.kind !== 'cpu') throw new Error('gan fixture: expected a dense CPU tensor');
  return Float32Array.from((t.storage.data as Float32Array).subarray(t.offset, t.offset + t.size));
}

function grab(t: Tensor): Float32Array {
  const a = hostCopy(t);
  t.dispose();
  return a;
}

// ------------------------------------------------------------------------------------ tfjs

interface TfDraws {
  z(rows: number, cols: number): TF.Tensor;
  mask(shape: [number, number], keep: number): TF.Tensor;
}

let tfNet = 0;

/** The paper's GAN in tfjs-core ops, trained exactly as GanTrainer trains it. */
class TfGan {
  private readonly vars: TF.Variable[];
  private readonly vels: TF.Variable[];
  private readonly gVars: TF.Variable[];
  private readonly dVars: TF.Variable[];
  private readonly gVels: TF.Variable[];
  private readonly dVels: TF.Variable[];
  private readonly data: TF.Tensor;
  private readonly targets2B: TF.Tensor;
  private readonly onesB: TF.Tensor;
  private accD: TF.Tensor;
  private accG: TF.Tensor;
  private dSteps = 0;
  private gSteps = 0;
  private batchIndex = 0;
  private readonly lr: schedules.Schedule;
  private readonly momentum: schedules.Schedule;

  constructor(
    private readonly tf: typeof TF,
    private readonly fx: Fixture,
  ) {
    const c = fx.config;
    const id = ++tfNet;
    this.vars = fx.params.map((p, i) => tf.variable(tf.tensor(p.data, p.shape, 'float32'), true, `gan${id}_p${i}`));
    this.vels = fx.params.map((p, i) => tf.variable(tf.zeros(p.shape, 'float32'), false, `gan${id}_v${i}`));
    this.gVars = this.vars.slice(0, fx.gCount);
    this.dVars = this.vars.slice(fx.gCount);
    this.gVels = this.vels.slice(0, fx.gCount);
    this.dVels = this.vels.slice(fx.gCount);
    this.data = tf.tensor(fx.ordered, [BENCH_IMAGES, PIXELS], 'float32');
    const B = c.batch;
    this.targets2B = tf.tensor(
      Float32Array.from({ length: 2 * B }, (_, i) => (i < B ? 1 : 0)),
      [2 * B, 1],
      'float32',
    );
    this.onesB = tf.ones([B, 1], 'float32');
    this.accD = tf.zeros([3]);
    this.accG = tf.zeros([1]);
    this.lr = schedules.exponentialDecay(c.lr, c.lrDecay, c.lrFloor);
    this.momentum = schedules.linearRamp(c.momentumStart, c.momentumEnd, c.momentumStartEpoch, c.momentumEndEpoch);
  }

  private G(z: TF.Tensor): TF.Tensor {
    const tf = this.tf;
    const n = this.gVars.length / 2;
    let h = z;
    for (let i = 0; i < n; i++) {
      h = tf.fused.matMul({ a: h, b: this.gVars[2 * i]!, bias: this.gVars[2 * i + 1]!, activation: i + 1 === n ? 'sigmoid' : 'relu' });
    }
    return h;
  }

  private D(x: TF.Tensor, draws: TfDraws): TF.Tensor {
    const tf = this.tf;
    const d = this.fx.config.discriminator;
    const rows = x.shape[0];
    // Dropout with keep 1 is the identity (as tf.dropout with rate 0): no mask, no multiply.
    const dropout = (h: TF.Tensor, keep: number) => (keep < 1 ? tf.mul(h, draws.mask([rows, h.shape[1]!], keep)) : h);
    let h = x;
    d.units.forEach((units, i) => {
      h = dropout(h, i === 0 ? d.keepInput : d.keepHidden);
      const z = tf.fused.matMul({ a: h, b: this.dVars[2 * i]!, bias: this.dVars[2 * i + 1]! });
      h = tf.max(tf.reshape(z, [rows, units, d.pieces]), -1);
    });
    h = dropout(h, d.units.length === 0 ? d.keepInput : d.keepHidden);
    const k = d.units.length;
    return tf.fused.matMul({ a: h, b: this.dVars[2 * k]!, bias: this.dVars[2 * k + 1]! });
  }

  /** v ← momentum·v − lr·g; p ← p + v, for every parameter of one player (saddle's SGD, as tfjs ops). */
  private update(vars: TF.Variable[], vels: TF.Variable[], grads: TF.NamedTensorMap, step: number): void {
    const tf = this.tf;
    const lr = this.lr({ step, epoch: 0 });
    const m = this.momentum({ step, epoch: 0 });
    vars.forEach((p, i) => {
      const v = vels[i]!;
      const vNew = tf.sub(tf.mul(v, m), tf.mul(grads[p.name]!, lr));
      v.assign(vNew);
      p.assign(tf.add(p, vNew));
    });
  }

  /** One iteration of Algorithm 1 with k = 1 (one D step on the next minibatch, then one G step). */
  iteration(draws: TfDraws): void {
    const tf = this.tf;
    const c = this.fx.config;
    const B = c.batch;
    const batches = BENCH_IMAGES / B;
    tf.tidy(() => {
      // D step: G under no gradient, D on [x; G(z)], loss against B ones and B zeros.
      const x = tf.slice(this.data, [(this.batchIndex++ % batches) * B, 0], [B, PIXELS]);
      const fake = this.G(draws.z(B, c.generator.zDim));
      const both = tf.concat([x, fake], 0);
      let logits: TF.Tensor | null = null;
      const d = tf.variableGrads(() => {
        logits = tf.keep(this.D(both, draws));
        return tf.losses.sigmoidCrossEntropy<TF.Tensor, TF.Scalar>(this.targets2B, logits);
      }, this.dVars);
      this.update(this.dVars, this.dVels, d.grads, this.dSteps++);
      const means = tf.mean(tf.reshape(tf.sigmoid(logits!), [2, B]), 1);
      const accD = tf.add(this.accD, tf.concat([tf.reshape(d.value, [1]), means], 0));
      (logits as TF.Tensor | null)?.dispose();
      this.accD.dispose();
      this.accD = tf.keep(accD);
    });
    tf.tidy(() => {
      // G step: fresh z, D(G(z)) with only G's variables differentiated, the non-saturating loss.
      const z = draws.z(B, c.generator.zDim);
      const g = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy<TF.Tensor, TF.Scalar>(this.onesB, this.D(this.G(z), draws)), this.gVars);
      this.update(this.gVars, this.gVels, g.grads, this.gSteps++);
      const accG = tf.add(this.accG, tf.reshape(g.value, [1]));
      this.accG.dispose();
      this.accG = tf.keep(accG);
    });
  }

  /** The momentum velocities, in parameter order (G's, then D's). */
  async velocities(): Promise<Float32Array[]> {
    const parts: Float32Array[] = [];
    for (const v of this.vels) parts.push((await v.data()) as Float32Array);
    return parts;
  }

  dispose(): void {
    for (const t of [...this.vars, ...this.vels, this.data, this.targets2B, this.onesB, this.accD, this.accG]) t.dispose();
  }
}

/** Noise and masks drawn the tfjs way: tf.randomUniform (JavaScript PRNG, uploaded), as tf.dropout does. */
function tfRandomDraws(tf: typeof TF): TfDraws {
  return {
    z: (rows, cols) => tf.randomUniform([rows, cols], -SQRT3, SQRT3, 'float32'),
    mask: (shape, keep) => tfDropoutMask(tf, shape, keep),
  };
}

/** The first iteration's noise and masks as saddle's streams drew them (check mode). */
function tfReplayDraws(tf: typeof TF, fx: Fixture): TfDraws {
  const zs = [fx.draws.zD, fx.draws.zG];
  const masks = [...fx.draws.masksD, ...fx.draws.masksG];
  return {
    z: (rows, cols) => tf.tensor(zs.shift()!, [rows, cols], 'float32'),
    mask: (shape) => tf.tensor(masks.shift()!, shape, 'float32'),
  };
}

// ------------------------------------------------------------------------------------ the case

export function ganCase(name: PresetName): BenchCase {
  const config = benchConfig(name);
  let images: Float32Array | null = null;
  const getImages = () => (images ??= syntheticImages(BENCH_IMAGES));
  let fixture: Fixture | null = null;
  const getFixture = () => (fixture ??= makeFixture(config, getImages()));
  let scales: Promise<number[]> | null = null;
  const getScales = () => (scales ??= referenceScales(config, getImages()));
  const macs = iterationMacs(config);

  const saddle = ({ device }: SaddleCtx): Instance => {
    const make = () => {
      const t = new GanTrainer(config, { images: getImages(), n: BENCH_IMAGES, d: PIXELS }, device);
      t.startEpoch();
      return t;
    };
    const trainer = make();
    return {
      run: () => steadyIteration(trainer),
      output: async () => {
        const t = make();
        try {
          t.iteration();
          return scaled(await trainerVelocities(t), await getScales());
        } finally {
          t.dispose();
        }
      },
      dispose: () => trainer.dispose(),
    };
  };

  const tfjs = ({ tf }: TfCtx): Instance => {
    // saddle's initial state and first draws, computed once per case on the CPU.
    const fx = getFixture();
    const net = new TfGan(tf, fx);
    const draws = tfRandomDraws(tf);
    return {
      run: () => net.iteration(draws),
      output: async () => {
        const fresh = new TfGan(tf, fx);
        try {
          fresh.iteration(tfReplayDraws(tf, fx));
          return scaled(await fresh.velocities(), await getScales());
        } finally {
          fresh.dispose();
        }
      },
      dispose: () => net.dispose(),
    };
  };

  // PyTorch (benchmarks/src/torch/torch_server.py, class Gan): the same networks from the same
  // initial parameters and minibatches, torch.addmm + relu / sigmoid, maxout as view + max, dropout
  // masks bernoulli_(keep) / keep, F.binary_cross_entropy_with_logits, torch.autograd.grad over the
  // stepping player's parameters, saddle's SGD in place (v.mul_(m).add_(g, -lr); p.add_(v)).
  const torch = ({ instance }: TorchCtx): Instance => {
    const fx = getFixture();
    const spec = {
      kind: 'gan' as const,
      config: fx.config,
      params: fx.params.map((p) => ({ shape: p.shape, data: f32Base64(p.data) })),
      gCount: fx.gCount,
      ordered: f32Base64(fx.ordered),
      images: BENCH_IMAGES,
    };
    const sizes = fx.params.map((p) => p.data.length);
    const split = (flat: Float32Array) => {
      let o = 0;
      return sizes.map((n) => flat.subarray(o, (o += n)));
    };
    const net = instance(spec);
    return {
      run: () => net.run(),
      output: async () => {
        const d = fx.draws;
        const fresh = instance(
          { ...spec, draws: { zD: f32Base64(d.zD), zG: f32Base64(d.zG), masksD: d.masksD.map(f32Base64), masksG: d.masksG.map(f32Base64) } },
          async (raw) => scaled(split(raw), await getScales()),
        );
        try {
          fresh.run();
          return await fresh.output!();
        } finally {
          fresh.dispose();
        }
      },
      dispose: () => net.dispose(),
    };
  };

  return {
    label: `${name} (B=${config.batch}, k=${config.k})`,
    params: {
      preset: name,
      networks: describeConfig(config),
      batch: config.batch,
      k: config.k,
      update: config.update,
      gLoss: config.gLoss,
      keepInput: config.discriminator.keepInput,
      keepHidden: config.discriminator.keepHidden,
      images: BENCH_IMAGES,
      matmulGflopPerIteration: Math.round((2 * macs) / 1e6) / 1e3,
    },
    // Each layer's update relative to its largest: gradients summed over up to 200 rows in
    // different orders in f32. Measured on lavapipe: ≤ 4e-5 (tfjs-wasm, whose sums run sequentially,
    // on D's output bias), ≤ 4e-6 elsewhere; a wrong update (a missing 1/keep, a wrong lr, a
    // gradient through the wrong player) is off by O(1).
    tolerance: 3e-4,
    saddle,
    tfjs,
    torch,
  };
}

export const GAN_PRESETS: PresetName[] = ['paper', 'quick'];

export function ganBench(opts: { presets?: PresetName[] } = {}): Bench {
  const presets = opts.presets ?? GAN_PRESETS;
  const cases = presets.map(ganCase);
  return {
    name: 'gan',
    title: 'one training iteration of the MNIST GAN (Algorithm 1, k = 1, batch 100, dropout, momentum)',
    description:
      "saddle's GanTrainer.iteration() (one submit, nothing read back) against the same networks, losses, gradients and momentum update " +
      'written with tfjs-core ops (tf.fused.matMul, reshape + max for maxout, dropout masks, tf.losses.sigmoidCrossEntropy, tf.variableGrads). ' +
      "`paper` is the paper's configuration, `quick` the narrower preset this repository trains on a CPU: " +
      presets.map((p) => `${p}: ${describeConfig(benchConfig(p))}`).join('; ') +
      '. Milliseconds per iteration.',
    ratios: BENCH_RATIOS,
    cases,
  };
}
