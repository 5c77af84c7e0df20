import { SaddleError, conv2d, convTranspose2d, fmtShape, type Pair, type Tensor } from '@saddle/autograd';
import { Module, checkSize } from '../module.js';
import { checkParameterOptions } from '../options.js';
import { kaimingUniform, uniform, type InitContext, type Initializer } from '../init.js';

/** Options shared by Conv2d and ConvTranspose2d: the op's geometry, bias, initializers. */
export interface ConvLayerOptions extends InitContext {
  stride?: Pair;
  dilation?: Pair;
  groups?: number;
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
  /** Default: PyTorch's, kaiming-uniform with a = √5, i.e. U(±1/√fanIn). */
  weightInit?: Initializer;
  /** Default: PyTorch's, U(±1/√fanIn). */
  biasInit?: Initializer;
}

/** Options of Conv2d. */
export interface Conv2dLayerOptions extends ConvLayerOptions {
  padding?: Pair | 'same' | 'valid';
}

/** Options of ConvTranspose2d. */
export interface ConvTranspose2dLayerOptions extends ConvLayerOptions {
  padding?: Pair;
  outputPadding?: Pair;
}

const CONV_OPTIONS = ['device', 'generator', 'stride', 'padding', 'dilation', 'groups', 'bias', 'weightInit', 'biasInit'] as const;

/** A Pair option as [h, w], checked: integers >= min. */
function pairOption(layer: string, name: string, v: Pair | undefined, fallback: number, min: number): [number, number] {
  const p = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((e) => Number.isInteger(e) && e >= min)) {
    throw new SaddleError(layer, `${name} is ${JSON.stringify(v)}; expected an integer >= ${min} or two of them [h, w]`);
  }
  return [p[0]!, p[1]!];
}

/** What both layers share: the weight [A, B/groups, kH, kW] (A, B: the channels in the layer's layout) and bias [out]. */
abstract class ConvLayer extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  protected constructor(
    layer: string,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    options: ConvLayerOptions,
    names: readonly string[],
    transposed: boolean,
  ) {
    super();
    checkSize(layer, 'inChannels', inChannels);
    checkSize(layer, 'outChannels', outChannels);
    checkParameterOptions(layer, options, names);
    this.kernelSize = pairOption(layer, 'kernelSize', kernelSize, 1, 1);
    this.stride = pairOption(layer, 'stride', options.stride, 1, 1);
    this.dilation = pairOption(layer, 'dilation', options.dilation, 1, 1);
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new SaddleError(
        layer,
        `groups is ${groups} with ${inChannels} input and ${outChannels} output channels; expected a positive integer dividing both`,
      );
    }
    this.groups = groups;
    const [kh, kw] = this.kernelSize;
    // PyTorch's layouts: Conv2d [out, in/groups, kH, kW], ConvTranspose2d [in, out/groups, kH, kW];
    // fanIn is dim 1 times the window in both (what torch.nn.init computes from the tensor).
    const shape = transposed ? [inChannels, outChannels / groups, kh, kw] : [outChannels, inChannels / groups, kh, kw];
    const fanIn = shape[1]! * kh * kw;
    const ctx = { device: options.device, generator: options.generator };
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = this.addParameter('weight', (options.weightInit ?? kaimingUniform(fanIn))(shape, ctx));
    this.bias = options.bias === false ? null : this.addParameter('bias', (options.biasInit ?? uniform(-bound, bound))([outChannels], ctx));
  }

  /** Refuses an input that is not [N, inChannels, H, W], naming the layer. */
  protected checkInput(layer: string, x: Tensor): void {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new SaddleError(layer, `input has shape ${fmtShape(x.shape)}; expected [batch, ${this.inChannels}, height, width]`);
    }
  }
}

/** 2-D convolution layer, PyTorch's `nn.Conv2d`: y = conv2d(x, weight, bias), NCHW. */
export class Conv2d extends ConvLayer {
  readonly padding: [number, number] | 'same' | 'valid';

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dLayerOptions = {}) {
    super('Conv2d', inChannels, outChannels, kernelSize, options, CONV_OPTIONS, false);
    const p = options.padding;
    this.padding = p === 'same' || p === 'valid' ? p : pairOption('Conv2d', 'padding', p, 0, 0);
    const [[kh, kw], [sh, sw], [dh, dw]] = [this.kernelSize, this.stride, this.dilation];
    if (p === 'same' && (sh !== 1 || sw !== 1 || (dh * (kh - 1)) % 2 !== 0 || (dw * (kw - 1)) % 2 !== 0)) {
      throw new SaddleError(
        'Conv2d',
        `padding 'same' with kernelSize [${kh}, ${kw}], stride [${sh}, ${sw}] and dilation [${dh}, ${dw}]; expected stride 1 and an odd effective kernel (dilation·(k−1) even); pass padding as numbers instead`,
      );
    }
  }

  /** [N, inChannels, H, W] -> [N, outChannels, H', W']. */
  forward(x: Tensor): Tensor {
    this.checkInput('Conv2d', x);
    return conv2d(x, this.weight, { bias: this.bias ?? undefined, stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

/** 2-D transposed convolution layer, PyTorch's `nn.ConvTranspose2d` (the "deconvolution" of DCGAN's generator). */
export class ConvTranspose2d extends ConvLayer {
  readonly padding: [number, number];
  readonly outputPadding: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvTranspose2dLayerOptions = {}) {
    super('ConvTranspose2d', inChannels, outChannels, kernelSize, options, [...CONV_OPTIONS, 'outputPadding'], true);
    this.padding = pairOption('ConvTranspose2d', 'padding', options.padding, 0, 0);
    this.outputPadding = pairOption('ConvTranspose2d', 'outputPadding', options.outputPadding, 0, 0);
  }

  /** [N, inChannels, H, W] -> [N, outChannels, H', W'], H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1. */
  forward(x: Tensor): Tensor {
    this.checkInput('ConvTranspose2d', x);
    const opts = {
      bias: this.bias ?? undefined,
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    };
    return convTranspose2d(x, this.weight, opts);
  }
}
