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
import {
  Generator,
  SaddleError,
  add,
  concat,
  copyInto,
  fromArray,
  leakyRelu,
  noGrad,
  rand,
  randn,
  relu,
  reshape,
  sigmoid,
  tidy,
  zeros,
  type Device,
  type Tensor,
} from '@saddle/autograd';
import { Conv2d, ConvTranspose2d, Dropout, Linear, Maxout, Module, init, type Initializer } from '@saddle/nn';

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
  /**
   * A convolutional G instead of the MLP (the `conv` preset; `hidden` must then be empty): z ->
   * Linear -> channels[0] x s x s, ReLU -> one ConvTranspose2d (4x4, stride 2, padding 1: twice the
   * side) per further entry of channels, ReLU -> a last ConvTranspose2d to 1 channel at the image's
   * side (sqrt outDim = s * 2^channels.length), plus a per-pixel bias -> sigmoid.
   */
  conv?: ConvGeneratorShape;
}

/** The convolutional G's channels, from the linear layer's reshape down to the last hidden map. */
export interface ConvGeneratorShape {
  /** Channels of each feature map before the output layer, coarsest first ([32, 16]: 7x7x32, 14x14x16). */
  channels: readonly number[];
}

/** The convolutional D's channels and slope. */
export interface ConvDiscriminatorShape {
  /** Output channels of each Conv2d (4x4, stride 2, padding 1: half the side) ([16, 32]: 14x14x16, 7x7x32). */
  channels: readonly number[];
  /** Slope of the leaky ReLU after each convolution for x < 0 (DCGAN: 0.2). */
  slope: number;
}

/** The convolutions of both nets: 4x4 kernels, stride 2, padding 1 (DCGAN's), so each layer halves or doubles the side. */
const CONV_GEOMETRY = { stride: 2, padding: 1 } as const;
const CONV_KERNEL = 4;

/** The side of a square image of `pixels` pixels, or a SaddleError naming `op`. */
export function imageSide(op: string, pixels: number, levels: number): number {
  const side = Math.round(Math.sqrt(pixels));
  if (side * side !== pixels || side % 2 ** levels !== 0) {
    throw new SaddleError(op, `${pixels} pixels are not a square image whose side divides by 2^${levels} (${levels} stride-2 convolutions)`);
  }
  return side;
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
  /**
   * A convolutional D instead of the maxout MLP (the `conv` preset; `units` must then be empty and
   * `pieces` is unused): the pixels as a 1-channel image -> per entry of channels a Conv2d (4x4,
   * stride 2, padding 1), leaky ReLU, dropout (keepHidden) -> Linear -> one logit.
   */
  conv?: ConvDiscriminatorShape;
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

/**
 * G: an MLP of fused Linear layers, ReLU inside, sigmoid on the pixels; or, with `arch.conv`, a
 * Linear layer reshaped into a small feature map and transposed convolutions up to the image.
 */
export class GeneratorNet extends Module {
  /** The Linear layers (with `arch.conv`: the one from z to the first feature map). */
  readonly layers: readonly Linear[];
  /** With `arch.conv`: the transposed convolutions, the last one to the image; otherwise empty. */
  readonly ups: readonly ConvTranspose2d[];
  /** With `arch.conv`: the per-pixel output bias [outDim] (the last convolution has none); otherwise null. */
  readonly pixelBias: Tensor | null;
  private readonly firstSide: number;

  constructor(
    readonly arch: GeneratorArch,
    ctx: ModelContext,
    /** The output layer's bias (e.g. `outputBiasFromData`); zeros if omitted. */
    outputBias?: Float32Array,
  ) {
    super();
    const hiddenInit = init.uniform(-arch.initRange, arch.initRange);
    const outRange = arch.outputInitRange ?? arch.initRange;
    const outputInit = init.uniform(-outRange, outRange);
    const biasInit = outputBias ? fixedBias(outputBias) : init.zeros;
    if (arch.conv) {
      const ch = arch.conv.channels;
      this.firstSide = imageSide('GeneratorNet', arch.outDim, ch.length) / 2 ** ch.length;
      const opts = { device: ctx.device, generator: ctx.init, ...CONV_GEOMETRY };
      this.layers = [
        this.addModule(
          'fc',
          new Linear(arch.zDim, ch[0]! * this.firstSide ** 2, {
            device: ctx.device,
            generator: ctx.init,
            activation: 'relu',
            weightInit: hiddenInit,
            biasInit: init.zeros,
          }),
        ),
      ];
      this.ups = ch.map((c, i) => {
        const last = i + 1 === ch.length;
        return this.addModule(
          `up${i}`,
          new ConvTranspose2d(c, last ? 1 : ch[i + 1]!, CONV_KERNEL, last ? { ...opts, bias: false, weightInit: outputInit } : opts),
        );
      });
      this.pixelBias = this.addParameter('pixelBias', biasInit([arch.outDim], { device: ctx.device, generator: ctx.init }));
      return;
    }
    this.firstSide = 0;
    this.ups = [];
    this.pixelBias = null;
    const widths = [arch.zDim, ...arch.hidden, arch.outDim];
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
            biasInit: last ? biasInit : init.zeros,
          }),
        ),
      );
    }
    this.layers = layers;
  }

  /** z [B, zDim] -> pixels [B, outDim] in (0, 1). */
  forward(z: Tensor): Tensor {
    let h = z;
    for (const l of this.layers) h = l.forward(h);
    if (!this.pixelBias) return h;
    const b = z.shape[0]!;
    h = reshape(h, [b, this.arch.conv!.channels[0]!, this.firstSide, this.firstSide]);
    this.ups.forEach((up, i) => {
      h = up.forward(h);
      if (i + 1 < this.ups.length) h = relu(h);
    });
    return sigmoid(add(reshape(h, [b, this.arch.outDim]), this.pixelBias));
  }
}

/**
 * D: dropout, maxout, dropout, maxout, dropout, linear -> one logit per row. The dropout after each
 * maxout layer (the next layer's input dropout) is fused into that layer's kernel in training mode.
 * With `arch.conv`: dropout on the pixels, then per level Conv2d, leaky ReLU, dropout, then Linear.
 */
export class DiscriminatorNet extends Module {
  readonly hidden: readonly Maxout[];
  /** With `arch.conv`: the convolutions; otherwise empty. */
  readonly convs: readonly Conv2d[];
  /** With `arch.conv`: the dropout after each convolution; otherwise empty (it is fused into the maxouts). */
  private readonly convDropouts: readonly Dropout[];
  readonly out: Linear;
  /** The dropout on D's input (the pixels: keepInput), the one dropout that is not fused into a maxout. */
  readonly inputDropout: Dropout;
  private readonly side: number;

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
    if (arch.conv) {
      if (dtype !== 'f32') throw new SaddleError('DiscriminatorNet', `dtype is ${dtype}; the convolutional D is f32 only`);
      const ch = arch.conv.channels;
      this.side = imageSide('DiscriminatorNet', arch.inDim, ch.length);
      this.convs = ch.map((c, i) =>
        this.addModule(`c${i}`, new Conv2d(i === 0 ? 1 : ch[i - 1]!, c, CONV_KERNEL, { device: ctx.device, generator: ctx.init, ...CONV_GEOMETRY })),
      );
      this.convDropouts = ch.map((_, i) => this.addModule(`drop${i + 1}`, new Dropout(arch.keepHidden, { generator: dropoutGenerator })));
      width = ch[ch.length - 1]! * (this.side / 2 ** ch.length) ** 2;
    } else {
      this.side = 0;
      this.convs = [];
      this.convDropouts = [];
    }
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
    if (this.arch.conv) {
      const b = x.shape[0]!;
      h = reshape(h, [b, 1, this.side, this.side]);
      this.convs.forEach((conv, i) => {
        h = this.convDropouts[i]!.forward(leakyRelu(conv.forward(h), this.arch.conv!.slope));
      });
      h = reshape(h, [b, h.size / b]);
    }
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

/**
 * A frozen copy of G: the same architecture with every parameter copied from G and none requiring
 * grad (its own init draws are overwritten at once). The start of a moving average of G's weights:
 * the trainer's `Gema`, and the extra averages of benchmarks/src/gan-average-probe.ts.
 */
export function frozenCopyOf(G: GeneratorNet, device: Device): GeneratorNet {
  const copy = new GeneratorNet(G.arch, { device, init: new Generator(0) });
  const source = G.parameters();
  copy.parameters().forEach((p, i) => {
    copyInto(p, source[i]!);
    p.requiresGrad = false;
  });
  return copy;
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

/** G's shape in one line: `100-384-384-784`, or `100 -> 32x7x7 -> 16x14x14 -> 1x28x28 (transposed conv)`. */
export function describeGenerator(a: GeneratorArch): string {
  if (!a.conv) return [a.zDim, ...a.hidden, a.outDim].join('-');
  const ch = a.conv.channels;
  const side = imageSide('describeGenerator', a.outDim, ch.length);
  const maps = [...ch, 1].map((c, i) => `${c}x${side / 2 ** (ch.length - i)}x${side / 2 ** (ch.length - i)}`);
  return `${a.zDim} -> ${maps.join(' -> ')} (transposed conv)`;
}

/** D's shape in one line: `maxout 128x2-128x2`, or `conv 1x28x28 -> 16x14x14 -> 32x7x7 -> 1`. */
export function describeDiscriminator(a: DiscriminatorArch): string {
  if (!a.conv) return `maxout ${a.units.map((u) => `${u}x${a.pieces}`).join('-')}`;
  const side = imageSide('describeDiscriminator', a.inDim, a.conv.channels.length);
  const maps = [1, ...a.conv.channels].map((c, i) => `${c}x${side / 2 ** i}x${side / 2 ** i}`);
  return `conv ${maps.join(' -> ')} -> 1`;
}
