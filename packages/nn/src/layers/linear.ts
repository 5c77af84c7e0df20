import { SaddleError, fmtShape, matmul, type Activation, type Tensor } from '@saddle/autograd';
import { Module, checkSize } from '../module.js';
import { checkActivation, checkParameterOptions } from '../options.js';
import { glorotUniform, zeros, type InitContext, type Initializer } from '../init.js';

/** Options of `Linear`: bias, activation, initializers. */
export interface LinearOptions extends InitContext {
  /** Fused into the matmul kernel's epilogue. */
  activation?: Activation;
  weightInit?: Initializer;
  biasInit?: Initializer;
  bias?: boolean;
}

/** y = act(x·W + b), with W stored [in, out] so the forward needs no transpose. One fused kernel. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly activation: Activation;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    checkLinearOptions('Linear', options);
    const ctx = { device: options.device, generator: options.generator };
    this.activation = options.activation ?? 'none';
    this.weight = this.addParameter('weight', (options.weightInit ?? glorotUniform())([inFeatures, outFeatures], ctx));
    this.bias = options.bias === false ? null : this.addParameter('bias', (options.biasInit ?? zeros)([outFeatures], ctx));
  }

  /** x·W + b, then the activation, for `x` of shape [batch, inFeatures]. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new SaddleError('Linear', `input has shape ${fmtShape(x.shape)}; expected [batch, ${this.inFeatures}]`);
    }
    return matmul(x, this.weight, { bias: this.bias ?? undefined, activation: this.activation });
  }
}

/** The option names Linear knows. */
export const LINEAR_OPTIONS = ['device', 'generator', 'activation', 'weightInit', 'biasInit', 'bias'] as const;

/** Checks Linear's options (as `op`: 'Linear', or 'mlp' for the options it passes on). */
export function checkLinearOptions(op: string, options: LinearOptions, names: readonly string[] = LINEAR_OPTIONS): void {
  checkParameterOptions(op, options, names);
  checkActivation(op, 'activation', options.activation);
}
