import { SaddleError, fmtShape, ones, zeros, type Tensor } from '@saddle/autograd';
import { Module, checkSize } from '../module.js';
import { checkBoolean, checkDeviceOption, checkOptionNames } from '../options.js';
import { batchNorm, layerNorm } from '../functional.js';
import type { InitContext } from '../init.js';

/** Options of BatchNorm1d and BatchNorm2d (PyTorch's names and defaults). */
export interface BatchNormLayerOptions {
  device?: InitContext['device'];
  /** Default 1e-5. */
  eps?: number;
  /** Default 0.1. */
  momentum?: number;
  /** Learnable weight (ones) and bias (zeros). Default true. */
  affine?: boolean;
  /** Keep running statistics (buffers) for eval mode; without, every mode uses the batch's. Default true. */
  trackRunningStats?: boolean;
}

const BATCH_NORM_OPTIONS = ['device', 'eps', 'momentum', 'affine', 'trackRunningStats'];

function checkNumber(layer: string, name: string, value: unknown, ok: (v: number) => boolean, expected: string): void {
  if (value !== undefined && (typeof value !== 'number' || !ok(value))) throw new SaddleError(layer, `${name} is ${String(value)}; expected ${expected}`);
}

/**
 * Batch normalization with PyTorch's semantics (see `batchNorm`): in training mode the batch's
 * statistics normalize and the running ones (buffers `running_mean`, zeros, and `running_var`,
 * ones, PyTorch's state names) move toward them by `momentum`, with the unbiased variance; in eval
 * mode the running statistics normalize.
 */
export abstract class BatchNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly eps: number;
  readonly momentum: number;

  /**
   * `layer` names it in errors; `ranks` are the input ranks it takes, `expected` says them
   * (`C` stands for numFeatures).
   */
  constructor(
    private readonly layer: string,
    readonly numFeatures: number,
    options: BatchNormLayerOptions,
    private readonly ranks: readonly number[],
    private readonly expected: string,
  ) {
    super();
    checkSize(layer, 'numFeatures', numFeatures);
    checkOptionNames(layer, options, BATCH_NORM_OPTIONS);
    checkDeviceOption(layer, options.device);
    checkNumber(layer, 'eps', options.eps, (v) => v > 0 && Number.isFinite(v), 'a finite number > 0');
    checkNumber(layer, 'momentum', options.momentum, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
    checkBoolean(layer, 'affine', options.affine);
    checkBoolean(layer, 'trackRunningStats', options.trackRunningStats);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    const device = options.device;
    const affine = options.affine ?? true;
    this.weight = affine ? this.addParameter('weight', ones([numFeatures], { device })) : null;
    this.bias = affine ? this.addParameter('bias', zeros([numFeatures], { device })) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? this.addBuffer('running_mean', zeros([numFeatures], { device })) : null;
    this.runningVar = track ? this.addBuffer('running_var', ones([numFeatures], { device })) : null;
  }

  /** Normalizes `x` per channel (dim 1): batch statistics in training mode, running ones in eval mode. */
  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      throw new SaddleError(this.layer, `input has shape ${fmtShape(x.shape)}; expected ${this.expected.replaceAll('C', String(this.numFeatures))}`);
    }
    return batchNorm(x, {
      runningMean: this.runningMean ?? undefined,
      runningVar: this.runningVar ?? undefined,
      weight: this.weight ?? undefined,
      bias: this.bias ?? undefined,
      training: this.training || !this.runningMean,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}

/** Batch normalization of [N, C] (after a Linear) or [N, C, L], per feature C (PyTorch's `nn.BatchNorm1d`). */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super('BatchNorm1d', numFeatures, options, [2, 3], '[N, C] or [N, C, L]');
  }
}

/** Batch normalization of images [N, C, H, W], per channel C (PyTorch's `nn.BatchNorm2d`). */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super('BatchNorm2d', numFeatures, options, [4], '[N, C, H, W]');
  }
}

/** Options of LayerNorm (PyTorch's names and defaults). */
export interface LayerNormLayerOptions {
  device?: InitContext['device'];
  /** Default 1e-5. */
  eps?: number;
  /** Learnable weight (ones) and bias (zeros) of the normalized shape. Default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, a bias too. Default true. */
  bias?: boolean;
}

/**
 * Layer normalization over the last dims, `normalizedShape` (PyTorch's `nn.LayerNorm`): each
 * sample is normalized by its own statistics, the same in training and eval mode; no buffers.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], options: LayerNormLayerOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...(normalizedShape as number[])] : [];
    if (shape.length === 0)
      throw new SaddleError('LayerNorm', `normalizedShape is ${JSON.stringify(normalizedShape)}; expected a positive integer or a non-empty list of them`);
    for (const d of shape) checkSize('LayerNorm', 'normalizedShape', d);
    checkOptionNames('LayerNorm', options, ['device', 'eps', 'elementwiseAffine', 'bias']);
    checkDeviceOption('LayerNorm', options.device);
    checkNumber('LayerNorm', 'eps', options.eps, (v) => v > 0 && Number.isFinite(v), 'a finite number > 0');
    checkBoolean('LayerNorm', 'elementwiseAffine', options.elementwiseAffine);
    checkBoolean('LayerNorm', 'bias', options.bias);
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.addParameter('weight', ones(shape, { device: options.device })) : null;
    this.bias = affine && options.bias !== false ? this.addParameter('bias', zeros(shape, { device: options.device })) : null;
  }

  /** Normalizes each sample of `x` over its last dims (`normalizedShape`), then scales and shifts. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight ?? undefined, bias: this.bias ?? undefined, eps: this.eps });
  }
}
