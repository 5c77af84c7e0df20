/**
 * A 2-D toy GAN, GAN Lab style: small MLPs G (noise z ∈ R² → a point in R²) and D (a point → the
 * logit of "real"), trained live on a 2-D data set, with every hyperparameter read at each step.
 *
 * Data sets (`TOY2D_DATA`), all inside the square `TOY2D_VIEW`: a ring of 8 Gaussians (radius 2,
 * std 0.1), two moons, a spiral, a line, and one drawn by the user (a list of points: each sample
 * picks one uniformly and adds N(0, 0.1²) to each coordinate). The data are sampled on the host
 * (a seeded `Generator` on the CPU device, so the stream is the same whatever device trains).
 *
 * One iteration, `update: 'alternating'` (Algorithm 1): k_D steps of D on a fresh minibatch from
 * each side (sigmoid cross-entropy on the stacked [2B, 2] batch), then k_G steps of G on its loss
 * (`generatorLoss`: non-saturating −log D(G(z)) or saturating log(1 − D(G(z)))).
 * `update: 'simultaneous'`: one step of each player, both gradients computed before either moves
 * (k_D and k_G are not used). `train` freezes a player ('D only', 'G only'). SGD with momentum;
 * the learning rates are schedules that read `settings` at each step, so a change is live.
 *
 * What the page draws, each a function of the current weights: D on a grid (`discriminate`,
 * `gridPoints`: the heat map), G's samples for fixed z (`generate`), and G's gradient at points x,
 * d L_G / d x_i (`generatorGradient`, per sample: the push each generated point gets). The
 * distance between two point sets (`chamferDistance`) tracks how close G's samples are to the data.
 */
import {
  Generator,
  SaddleError,
  concat,
  cpu,
  defaultDevice,
  fromArray,
  grad,
  keep,
  noGrad,
  rand,
  randn,
  runBackward,
  sigmoid,
  sigmoidBce,
  slice,
  tidy,
  type Device,
  type Tensor,
} from '@saddle/autograd';
import { SGD, init, mlp, type Sequential } from '@saddle/nn';
import { GENERATOR_LOSSES, generatorLoss, type GeneratorLossKind } from '../losses.js';
import { UPDATE_MODES, type UpdateMode } from '../presets.js';

/** The built-in data sets, and 'drawn' (the user's points). */
export type Toy2dDataName = 'ring' | 'moons' | 'spiral' | 'line' | 'drawn';
/** Every `Toy2dDataName`, in the order the page lists them. */
export const TOY2D_DATA: readonly Toy2dDataName[] = ['ring', 'moons', 'spiral', 'line', 'drawn'];

/** A data set: a built-in one, or 'drawn' with its points ([x, y] each, inside `TOY2D_VIEW`). */
export type Toy2dData = { name: Exclude<Toy2dDataName, 'drawn'> } | { name: 'drawn'; points: readonly (readonly [number, number])[] };

/** The square every data set lies in and the page shows: [min, max] on both axes. */
export const TOY2D_VIEW = { min: -3, max: 3 } as const;

/** The noise added around each drawn point (std, per coordinate). */
export const DRAWN_STD = 0.1;

/** Which players train. */
export type Toy2dTraining = 'both' | 'D only' | 'G only';
/** Every `Toy2dTraining`. */
export const TOY2D_TRAINING: readonly Toy2dTraining[] = ['both', 'D only', 'G only'];

/** The live hyperparameters, read at every step. */
export interface Toy2dSettings {
  lrD: number;
  lrG: number;
  kD: number;
  kG: number;
  train: Toy2dTraining;
  update: UpdateMode;
  gLoss: GeneratorLossKind;
}

/** The ranges `setSettings` accepts (the page's boxes use the same). */
export const TOY2D_LIMITS = { lr: { min: 0, max: 1 }, k: { min: 1, max: 20 } } as const;

/** The settings a `Toy2dGan` starts with: SGD learning rate 0.1 and k = 1 for both, both training, Algorithm 1's order, the non-saturating loss. */
export const DEFAULT_TOY2D_SETTINGS: Readonly<Toy2dSettings> = {
  lrD: 0.1,
  lrG: 0.1,
  kD: 1,
  kG: 1,
  train: 'both',
  update: 'alternating',
  gLoss: 'non-saturating',
};

function checkChoice<T extends string>(op: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw new SaddleError(op, `${name} is ${JSON.stringify(value)}; expected one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  return value as T;
}

function checkRange(op: string, name: string, value: unknown, range: { min: number; max: number }, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || value > range.max || (integer && !Number.isInteger(value))) {
    throw new SaddleError(op, `${name} is ${String(value)}; expected ${integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}`);
  }
  return value;
}

/** `partial` merged into `settings`, every field checked (a SaddleError names the first bad one). */
export function checkToy2dSettings(op: string, settings: Toy2dSettings, partial: Partial<Toy2dSettings>): Toy2dSettings {
  const s = { ...settings, ...partial };
  checkRange(op, 'lrD', s.lrD, TOY2D_LIMITS.lr, false);
  checkRange(op, 'lrG', s.lrG, TOY2D_LIMITS.lr, false);
  checkRange(op, 'kD', s.kD, TOY2D_LIMITS.k, true);
  checkRange(op, 'kG', s.kG, TOY2D_LIMITS.k, true);
  checkChoice(op, 'train', s.train, TOY2D_TRAINING);
  checkChoice(op, 'update', s.update, UPDATE_MODES);
  checkChoice(op, 'gLoss', s.gLoss, GENERATOR_LOSSES);
  return s;
}

/** A copy of `data`, checked: a known name; drawn points finite, inside the view, at least one. */
export function checkToy2dData(op: string, data: Toy2dData): Toy2dData {
  const name = checkChoice(op, 'data', data?.name, TOY2D_DATA);
  if (name !== 'drawn') return { name };
  const points = (data as { points?: unknown }).points;
  if (!Array.isArray(points) || points.length === 0)
    throw new SaddleError(op, 'the drawn data set has no points; expected at least one [x, y] point (draw on the canvas)');
  const { min, max } = TOY2D_VIEW;
  points.forEach((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max)) {
      throw new SaddleError(op, `drawn point ${i} is ${JSON.stringify(p)}; expected [x, y] with both in [${min}, ${max}]`);
    }
  });
  return { name, points: points.map((p: [number, number]) => [p[0], p[1]] as const) };
}

/** Host values of a draw on the CPU device (the same Philox stream as on any device). */
function hostDraw(draw: () => Tensor): Float32Array {
  const t = draw();
  try {
    return Float32Array.from(t.dataSync() as Float32Array);
  } finally {
    t.dispose();
  }
}

/**
 * `n` points of `data` as [n·2] (x0, y0, x1, y1, ...), from `generator`: one uniform per point
 * (where on the shape) and two normals (the noise around it).
 */
export function sampleToy2d(data: Toy2dData, n: number, generator: Generator): Float32Array {
  const d = checkToy2dData('sampleToy2d', data);
  if (!Number.isInteger(n) || n < 0) throw new SaddleError('sampleToy2d', `n is ${n}; expected a non-negative integer`);
  const out = new Float32Array(2 * n);
  if (n === 0) return out;
  const u = hostDraw(() => rand([n], { generator, device: cpu }));
  const e = hostDraw(() => randn([n, 2], { generator, device: cpu }));
  for (let i = 0; i < n; i++) {
    const t = u[i]!;
    let x: number;
    let y: number;
    let std: number;
    switch (d.name) {
      case 'ring': {
        const a = (2 * Math.PI * Math.min(7, Math.floor(8 * t))) / 8;
        [x, y, std] = [2 * Math.cos(a), 2 * Math.sin(a), 0.1];
        break;
      }
      case 'moons': {
        // Two interleaved half circles (radius 1.2), centred on the origin.
        const upper = t < 0.5;
        const a = Math.PI * (upper ? 2 * t : 2 * t - 1);
        [x, y] = upper ? [Math.cos(a) - 0.5, Math.sin(a) - 0.25] : [0.5 - Math.cos(a), 0.25 - Math.sin(a)];
        [x, y, std] = [1.2 * x, 1.2 * y, 0.08];
        break;
      }
      case 'spiral': {
        // An Archimedean spiral, 1.75 turns, radius 0.3 to 2.5.
        const a = 3.5 * Math.PI * t;
        const r = 0.3 + 2.2 * t;
        [x, y, std] = [r * Math.cos(a), r * Math.sin(a), 0.07];
        break;
      }
      case 'line':
        [x, y, std] = [-2 + 4 * t, -1.5 + 3 * t, 0.06];
        break;
      case 'drawn': {
        const p = d.points[Math.min(d.points.length - 1, Math.floor(t * d.points.length))]!;
        [x, y, std] = [p[0], p[1], DRAWN_STD];
        break;
      }
    }
    out[2 * i] = x + std * e[2 * i]!;
    out[2 * i + 1] = y + std * e[2 * i + 1]!;
  }
  return out;
}

/** [n·2] values (x0, y0, x1, y1, ...) as n [x, y] pairs. */
export function pointPairs(points: ArrayLike<number>): [number, number][] {
  return Array.from({ length: Math.floor(points.length / 2) }, (_, i) => [points[2 * i]!, points[2 * i + 1]!]);
}

/** The centres of a cells × cells grid over `TOY2D_VIEW`, [cells²·2], row by row from the top (y = max) down. */
export function gridPoints(cells: number): Float32Array {
  if (!Number.isInteger(cells) || cells < 1) throw new SaddleError('gridPoints', `cells is ${cells}; expected a positive integer`);
  const { min, max } = TOY2D_VIEW;
  const h = (max - min) / cells;
  const out = new Float32Array(2 * cells * cells);
  for (let r = 0; r < cells; r++) {
    for (let c = 0; c < cells; c++) {
      out[2 * (r * cells + c)] = min + (c + 0.5) * h;
      out[2 * (r * cells + c) + 1] = max - (r + 0.5) * h;
    }
  }
  return out;
}

/**
 * The chamfer distance between point sets a and b ([n·2] each): the mean distance from each point
 * of a to its nearest point in b, plus the same from b to a. Zero when the sets coincide; it grows
 * both when G misses part of the data (mode dropping) and when G puts points far from it.
 */
export function chamferDistance(a: Float32Array, b: Float32Array): number {
  if (a.length === 0 || b.length === 0 || a.length % 2 || b.length % 2) {
    throw new SaddleError('chamferDistance', `point sets of ${a.length} and ${b.length} values; expected two non-empty [n·2] sets`);
  }
  const oneWay = (p: Float32Array, q: Float32Array) => {
    let sum = 0;
    for (let i = 0; i < p.length; i += 2) {
      let best = Infinity;
      for (let j = 0; j < q.length; j += 2) best = Math.min(best, (p[i]! - q[j]!) ** 2 + (p[i + 1]! - q[j + 1]!) ** 2);
      sum += Math.sqrt(best);
    }
    return sum / (p.length / 2);
  };
  return oneWay(a, b) + oneWay(b, a);
}

/** Options of `Toy2dGan`. */
export interface Toy2dOptions {
  data: Toy2dData;
  device?: Device;
  /** Seeds the weights, the noise and the data stream (default 1). */
  seed?: number;
  /** Hidden widths of both G and D, ReLU (default [32, 32]). */
  hidden?: readonly number[];
  /** Points per side per step (default 64). */
  batch?: number;
  /** SGD momentum of both players (default 0.5). */
  momentum?: number;
  settings?: Partial<Toy2dSettings>;
}

/** The 2-D toy GAN (see the module comment). Not thread-safe: one caller drives it. */
export class Toy2dGan {
  readonly device: Device;
  /** G: z [n, 2] → points [n, 2]. */
  readonly G: Sequential;
  /** D: points [n, 2] → logits [n, 1]. */
  readonly D: Sequential;
  /** Iterations run. */
  steps = 0;
  private _settings: Toy2dSettings;
  private _data: Toy2dData;
  private readonly batch: number;
  private readonly noise: Generator;
  private readonly dataGen: Generator;
  private readonly optD: SGD;
  private readonly optG: SGD;
  private readonly targets: Tensor;
  private disposed = false;

  constructor(options: Toy2dOptions) {
    const { seed = 1, hidden = [32, 32], batch = 64, momentum = 0.5 } = options;
    if (!Number.isInteger(batch) || batch < 1) throw new SaddleError('Toy2dGan', `batch is ${batch}; expected a positive integer`);
    this._data = checkToy2dData('Toy2dGan', options.data);
    this._settings = checkToy2dSettings('Toy2dGan', DEFAULT_TOY2D_SETTINGS, options.settings ?? {});
    this.device = options.device ?? defaultDevice();
    this.batch = batch;
    const initGen = new Generator(seed);
    this.noise = new Generator(seed + 0x9e37);
    this.dataGen = new Generator(seed + 0x7f4a);
    const net = (widths: number[]) =>
      mlp(widths, { device: this.device, generator: initGen, activation: 'relu', outputActivation: 'none', weightInit: init.glorotUniform() });
    this.G = net([2, ...hidden, 2]);
    this.D = net([2, ...hidden, 1]);
    // The learning rates are schedules read at each step: a change of `settings` is live.
    this.optD = new SGD(this.D.parameters(), { lr: () => this._settings.lrD, momentum });
    this.optG = new SGD(this.G.parameters(), { lr: () => this._settings.lrG, momentum });
    this.targets = keep(
      fromArray(
        Float32Array.from({ length: 2 * batch }, (_, i) => (i < batch ? 1 : 0)),
        [2 * batch, 1],
        { device: this.device },
      ),
    );
  }

  get settings(): Readonly<Toy2dSettings> {
    return this._settings;
  }

  /** Changes some settings from the next step on; throws a SaddleError (and changes nothing) on a bad value. */
  setSettings(partial: Partial<Toy2dSettings>): void {
    this._settings = checkToy2dSettings('Toy2dGan.setSettings', this._settings, partial);
  }

  get data(): Toy2dData {
    return this._data;
  }

  /** Trains on `data` from the next step on (checked first: a bad data set changes nothing). */
  setData(data: Toy2dData): void {
    this._data = checkToy2dData('Toy2dGan.setData', data);
  }

  /** n fresh noise vectors, [n, 2] standard normal, from `generator` (default: the training noise). */
  sampleZ(n: number, generator: Generator = this.noise): Tensor {
    return randn([n, 2], { generator, device: this.device });
  }

  /** n points of the data set on the device, [n, 2], from the training data stream. */
  private real(n: number): Tensor {
    return fromArray(sampleToy2d(this._data, n, this.dataGen), [n, 2], { device: this.device });
  }

  private dStep(): void {
    const fake = noGrad(() => this.G.forward(this.sampleZ(this.batch)));
    sigmoidBce(this.D.forward(concat([this.real(this.batch), fake], 0)), this.targets).backward();
    this.optD.step();
    this.optD.zeroGrad();
  }

  private gStep(): void {
    // D's weights take no gradient: only the paths to G's parameters run.
    const loss = generatorLoss(this.D.forward(this.G.forward(this.sampleZ(this.batch))), this._settings.gLoss);
    assignGrads(this.G.parameters(), runBackward(loss, undefined, false, this.G.parameters()));
    this.optG.step();
    this.optG.zeroGrad();
  }

  /** Both gradients from one pass of D over [real; G(z)], then both players step. */
  private simultaneousStep(trainD: boolean, trainG: boolean): void {
    const B = this.batch;
    const fake = this.G.forward(this.sampleZ(B));
    const logits = this.D.forward(concat([this.real(B), fake], 0));
    const dLoss = sigmoidBce(logits, this.targets);
    const gLoss = generatorLoss(slice(logits, [B, 0], [B, 1]), this._settings.gLoss);
    const dGrads = trainD ? runBackward(dLoss, undefined, true, this.D.parameters()) : null;
    const gGrads = trainG ? runBackward(gLoss, undefined, false, this.G.parameters()) : null;
    if (dGrads) {
      assignGrads(this.D.parameters(), dGrads);
      this.optD.step();
      this.optD.zeroGrad();
    }
    if (gGrads) {
      assignGrads(this.G.parameters(), gGrads);
      this.optG.step();
      this.optG.zeroGrad();
    }
  }

  /** One iteration with the current settings (see the module comment). */
  iteration(): void {
    this.checkAlive('iteration');
    const s = this._settings;
    const trainD = s.train !== 'G only';
    const trainG = s.train !== 'D only';
    if (s.update === 'simultaneous') {
      tidy(() => this.simultaneousStep(trainD, trainG));
    } else {
      for (let j = 0; trainD && j < s.kD; j++) tidy(() => this.dStep());
      for (let j = 0; trainG && j < s.kG; j++) tidy(() => this.gStep());
    }
    this.device.flush();
    this.steps++;
  }

  /** G's points for the noise z ([n, 2]), [n·2]. */
  async generate(z: Tensor): Promise<Float32Array> {
    this.checkAlive('generate');
    return read(noGrad(() => this.G.forward(z)));
  }

  /** D(x) = sigmoid(logit), the probability of "real", at each point of `points` ([n·2]). */
  async discriminate(points: Float32Array): Promise<Float32Array> {
    this.checkAlive('discriminate');
    if (points.length === 0) return new Float32Array(0);
    return read(noGrad(() => tidy(() => sigmoid(this.D.forward(this.points(points))))));
  }

  /**
   * d L_G / d x_i at each point x_i of `points` ([n·2]): the gradient of G's loss (the current
   * `gLoss`) for that one sample, [n·2]. G's samples move along minus this at a G step (before
   * G's Jacobian); nothing flows into D's weights and no `.grad` is touched.
   */
  async generatorGradient(points: Float32Array): Promise<Float32Array> {
    this.checkAlive('generatorGradient');
    const n = points.length / 2;
    if (n === 0) return new Float32Array(0);
    const x = this.points(points);
    const kind = this._settings.gLoss;
    try {
      // G's loss is a mean over the points: times n, each point's own gradient.
      const g = tidy(() => grad((t: Tensor) => generatorLoss(this.D.forward(t), kind))(x)[0]!);
      return Float32Array.from(await read(g), (v) => v * n);
    } finally {
      x.dispose();
    }
  }

  /** Frees the weights, optimizer state and constants. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.G.dispose();
    this.D.dispose();
    this.optD.dispose();
    this.optG.dispose();
    this.targets.dispose();
  }

  private points(points: Float32Array): Tensor {
    if (points.length % 2) throw new SaddleError('Toy2dGan', `points has ${points.length} values; expected [n·2] (x, y pairs)`);
    return fromArray(points, [points.length / 2, 2], { device: this.device });
  }

  private checkAlive(op: string): void {
    if (this.disposed) throw new SaddleError(`Toy2dGan.${op}`, 'the toy was disposed');
  }
}

/** Sets each parameter's `.grad` to its gradient in `grads` (from `runBackward`; none: no gradient). */
function assignGrads(params: readonly Tensor[], grads: Map<Tensor, Tensor>): void {
  for (const p of params) p.grad = grads.get(p) ?? null;
}

/** The values of `t` (then freed). */
async function read(t: Tensor): Promise<Float32Array> {
  try {
    return Float32Array.from(await t.toArray());
  } finally {
    t.dispose();
  }
}
