import { SaddleError, fmtShape, matmul, maxout, type Tensor } from '@saddle/autograd';
import { Module } from '../module.js';
import { glorotUniform, zeros, type InitContext, type Initializer } from '../init.js';

export interface MaxoutOptions extends InitContext {
  weightInit?: Initializer;
  biasInit?: Initializer;
}

/**
 * Maxout (Goodfellow et al. 2013): `units` outputs, each the max of `pieces` affine pieces. The
 * pieces are one Linear of width units*pieces (unit u's pieces are adjacent columns), then the
 * maxout kernel, which keeps the argmax for the backward scatter.
 */
export class Maxout extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(
    readonly inFeatures: number,
    readonly units: number,
    readonly pieces: number,
    options: MaxoutOptions = {},
  ) {
    super();
    const ctx = { device: options.device, generator: options.generator };
    this.weight = this.addParameter('weight', (options.weightInit ?? glorotUniform())([inFeatures, units * pieces], ctx));
    this.bias = this.addParameter('bias', (options.biasInit ?? zeros)([units * pieces], ctx));
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new SaddleError('Maxout', `input has shape ${fmtShape(x.shape)}; expected [batch, ${this.inFeatures}]`);
    }
    const z = matmul(x, this.weight, { bias: this.bias });
    return maxout(z, this.pieces).out;
  }
}
