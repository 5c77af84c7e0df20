/**
 * The two networks of the paper's MNIST experiment, as the authors' pylearn2 code built them:
 *
 *   G: z (100) -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid
 *      weights U(-0.05, 0.05), biases 0, except the output bias: the logit of the mean training
 *      pixel (clipped to [1e-7, 1 - 1e-7]), so an untrained G already draws the average digit.
 *   D: x (784) -> maxout 240 units x 5 pieces -> maxout 240 x 5 -> 1 (a logit; the sigmoid is fused
 *      into the loss), weights U(-0.005, 0.005), biases 0; dropout on each layer's input: keep 0.8
 *      on the pixels, 0.5 above (inverted dropout: kept values are scaled by 1/keep).
 *
 * Every layer is one fused kernel: Linear is matmul + bias + activation, Maxout is matmul + bias then
 * the maxout kernel. The dropout on a hidden layer's input is the dropout of the maxout layer before
 * it, so in training mode it runs inside that maxout kernel (`Maxout`'s `dropoutAfter`,
 * `maxoutDropout`): only the pixels' dropout is a kernel of its own. The masks are the ones separate
 * dropout layers would draw, from the same generator in the same order. Widths, pieces, ranges and
 * keep probabilities are parameters (the presets).
 */
import { Generator, SaddleError, concat, fromArray, noGrad, rand, randn, tidy, zeros, type Device, type Tensor } from '@saddle/autograd';
import { Dropout, Linear, Maxout, Module, init, type Initializer } from '@saddle/nn';

/** The generator's shape: noise size, hidden ReLU widths, output size, initial weight range. */
export interface GeneratorArch {
  /** Dimension of z (100). */
  zDim: number;
  /** Hidden ReLU widths ([1200, 1200]). */
  hidden: readonly number[];
  /** Output dimension (784). */
  outDim: number;
  /** Weights are U(-initRange, initRange) (0.05). */
  initRange: number;
  /** The output layer's weights are U(-outputInitRange, outputInitRange) (default: initRange). */
  outputInitRange?: number;
}

/** The discriminator's shape: input size, maxout units and pieces, dropout, initial weight range. */
export interface DiscriminatorArch {
  /** Input dimension (784). */
  inDim: number;
  /** Maxout units per hidden layer ([240, 240]). */
  units: readonly number[];
  /** Pieces per maxout unit (5). */
  pieces: number;
  /** Weights are U(-initRange, initRange) (0.005). */
  initRange: number;
  /** Keep probability of the dropout on the pixels (0.8). */
  keepInput: number;
  /** Keep probability of the dropout on every hidden layer's output (0.5). */
  keepHidden: number;
}

/** Where new parameters go and what draws their initial values. */
export interface ModelContext {
  device: Device;
  /** Draws the initial weights. */
  init: Generator;
  /**
   * The dtype of D's parameters (default f32). f64 works on the CPU only, for gradient checks of
   * the training step in double precision (packages/gan/test/d-objective.test.ts); the trainer uses f32.
   */
  dtype?: 'f32' | 'f64';
}

/**
 * The output bias of G: logit(clip(mean pixel, 1e-7, 1 - 1e-7)) per pixel, over the `n` images of
 * `images` (n x d, row-major). pylearn2's `init_sigmoid_bias_from_marginals`. Computed in doubles.
 */
export function outputBiasFromData(images: Float32Array, n: number, d: number): Float32Array {
  if (!(n > 0) || images.length < n * d) {
    throw new SaddleError('outputBiasFromData', `${images.length} values hold fewer than n = ${n} images of ${d} pixels`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mean[j]! += images[row + j]!;
  }
  const out = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, mean[j]! / n));
    out[j] = Math.log(p / (1 - p));
  }
  return out;
}

function fixedBias(values: Float32Array): Initializer {
  return (shape, ctx) => {
    if (shape.length !== 1 || shape[0] !== values.length) {
      throw new SaddleError('Generator', `output bias has ${values.length} values; the layer needs ${shape.join('x')}`);
    }
    return fromArray(values, [values.length], { device: ctx.device });
  };
}

/** G: an MLP of fused Linear layers, ReLU inside, sigmoid on the pixels. */
export class GeneratorNet extends Module {
  readonly layers: readonly Linear[];

  constructor(
    readonly arch: GeneratorArch,
    ctx: ModelContext,
    /** The output layer's bias (e.g. `outputBiasFromData`); zeros if omitted. */
    outputBias?: Float32Array,
  ) {
    super();
    const widths = [arch.zDim, ...arch.hidden, arch.outDim];
    const hiddenInit = init.uniform(-arch.initRange, arch.initRange);
    const outRange = arch.outputInitRange ?? arch.initRange;
    const outputInit = init.uniform(-outRange, outRange);
    const layers: Linear[] = [];
    for (let i = 0; i + 1 < widths.length; i++) {
      const last = i + 2 === widths.length;
      layers.push(
        this.addModule(
          `l${i}`,
          new Linear(widths[i]!, widths[i + 1]!, {
            device: ctx.device,
            generator: ctx.init,
            activation: last ? 'sigmoid' : 'relu',
            weightInit: last ? outputInit : hiddenInit,
            biasInit: last && outputBias ? fixedBias(outputBias) : init.zeros,
          }),
        ),
      );
    }
    this.layers = layers;
  }

  forward(z: Tensor): Tensor {
    let h = z;
    for (const l of this.layers) h = l.forward(h);
    return h;
  }
}

/**
 * D: dropout, maxout, dropout, maxout, dropout, linear -> one logit per row. The dropout after each
 * maxout layer (the next layer's input dropout) is fused into that layer's kernel in training mode.
 */
export class DiscriminatorNet extends Module {
  readonly hidden: readonly Maxout[];
  readonly out: Linear;
  /** The dropout on D's input (the pixels: keepInput), the one dropout that is not fused into a maxout. */
  readonly inputDropout: Dropout;

  constructor(
    readonly arch: DiscriminatorArch,
    ctx: ModelContext,
    /** Draws the dropout masks: per forward pass, the pixels' mask, then each maxout layer's output mask in order. */
    dropoutGenerator: Generator,
  ) {
    super();
    const { initRange: r } = arch;
    const dtype = ctx.dtype ?? 'f32';
    const weightInit: Initializer =
      dtype === 'f32' ? init.uniform(-r, r) : (shape, c) => rand(shape, { low: -r, high: r, device: c.device, generator: c.generator, dtype });
    const biasInit: Initializer = dtype === 'f32' ? init.zeros : (shape, c) => zeros(shape, { device: c.device, dtype });
    const hidden: Maxout[] = [];
    // Named drop0, h0, h1, ..., y: the parameter names (h0.weight, ..., y.bias) are those of checkpoints.
    this.inputDropout = this.addModule('drop0', new Dropout(arch.keepInput, { generator: dropoutGenerator }));
    let width = arch.inDim;
    arch.units.forEach((units, i) => {
      hidden.push(
        this.addModule(
          `h${i}`,
          new Maxout(width, units, arch.pieces, {
            device: ctx.device,
            generator: ctx.init,
            weightInit,
            biasInit,
            dropoutAfter: arch.keepHidden,
            dropoutGenerator,
          }),
        ),
      );
      width = units;
    });
    this.out = this.addModule('y', new Linear(width, 1, { device: ctx.device, generator: ctx.init, weightInit, biasInit }));
    this.hidden = hidden;
  }

  /** Logits [B, 1]. In training mode every layer's input goes through dropout; in eval mode none does. */
  forward(x: Tensor): Tensor {
    let h = this.inputDropout.forward(x);
    for (const layer of this.hidden) h = layer.forward(h);
    return this.out.forward(h);
  }
}

/** The distribution of the noise z. */
export type NoiseDistribution = 'uniform' | 'gaussian';

const SQRT3 = Math.sqrt(3);

/**
 * Noise z, [n, zDim]: uniform on [-sqrt 3, sqrt 3] (mean 0, variance 1: the authors' choice) or
 * standard normal, drawn from (and advancing) `generator`.
 */
export function sampleNoise(n: number, zDim: number, dist: NoiseDistribution, generator: Generator, device: Device): Tensor {
  return dist === 'uniform' ? rand([n, zDim], { low: -SQRT3, high: SQRT3, generator, device }) : randn([n, zDim], { generator, device });
}

/** n samples of G (eval mode, no graph) for fresh noise from `generator`, in chunks: [n, outDim] on G's device. */
export function generateSamples(G: GeneratorNet, n: number, dist: NoiseDistribution, generator: Generator, device: Device, chunk = 1000): Tensor {
  const wasTraining = G.training;
  G.eval();
  try {
    return tidy(() =>
      noGrad(() => {
        const parts: Tensor[] = [];
        for (let i = 0; i < n; i += chunk) {
          parts.push(G.forward(sampleNoise(Math.min(chunk, n - i), G.arch.zDim, dist, generator, device)));
          device.flush();
        }
        return parts.length === 1 ? parts[0]! : concat(parts, 0);
      }),
    );
  } finally {
    G.train(wasTraining);
  }
}
