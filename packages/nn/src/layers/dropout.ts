import { SaddleError, dropout, type Generator, type Tensor } from '@saddle/autograd';
import { Module } from '../module.js';
import { checkGenerator, checkOptionNames } from '../options.js';

/**
 * Inverted dropout: in training, each element is kept with probability `keep` and scaled by
 * 1/keep (the paper's D: keep 0.8 on the pixels, 0.5 above); in eval mode, the identity.
 */
export class Dropout extends Module {
  constructor(
    readonly keep: number,
    readonly options: { generator?: Generator } = {},
  ) {
    super();
    if (typeof keep !== 'number' || !(keep > 0 && keep <= 1)) throw new SaddleError('Dropout', `keep is ${String(keep)}; expected 0 < keep <= 1`);
    checkOptionNames('Dropout', options, ['generator']);
    checkGenerator('Dropout', 'generator', options.generator);
  }

  /**
   * In training mode, zeroes each element with probability 1 − keep and scales the rest by 1/keep; in eval
   * mode, `x`.
   */
  forward(x: Tensor): Tensor {
    if (!this.training || this.keep === 1) return x;
    return dropout(x, this.keep, { generator: this.options.generator }).out;
  }
}
