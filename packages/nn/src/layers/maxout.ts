import { SaddleError, fmtShape, matmul, maxout, maxoutDropout, type Generator, type Tensor } from '@saddle/autograd';
import { Module, checkSize } from '../module.js';
import { checkDeviceOption, checkGenerator, checkInitializer, checkOptionNames } from '../options.js';
import { glorotUniform, zeros, type InitContext, type Initializer } from '../init.js';

/** Options of `Maxout`: initializers, and a dropout of its output fused into the kernel. */
export interface MaxoutOptions extends InitContext {
  weightInit?: Initializer;
  biasInit?: Initializer;
  /**
   * Keep probability of an inverted dropout on the layer's output, in training mode (none in eval
   * mode): the next layer's input dropout, fused into the maxout kernel. Default 1 (no dropout).
   * `new Maxout(n, u, p, { dropoutAfter: keep, dropoutGenerator: g })` computes exactly what
   * `new Sequential(new Maxout(n, u, p), new Dropout(keep, { generator: g }))` does, in one kernel.
   */
  dropoutAfter?: number;
  /** Draws that dropout's masks (default: the default generator). */
  dropoutGenerator?: Generator;
}

/**
 * Maxout (Goodfellow et al. 2013): `units` outputs, each the max of `pieces` affine pieces. The
 * pieces are one Linear of width units*pieces (unit u's pieces are adjacent columns), then the
 * maxout kernel, which keeps the argmax for the backward scatter. With `dropoutAfter`, the maxout
 * kernel also applies the dropout of its output in training mode (`maxoutDropout`).
 */
export class Maxout extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  /** Keep probability of the fused output dropout (1: none). */
  readonly dropoutAfter: number;
  private readonly dropoutGenerator: Generator | undefined;

  constructor(
    readonly inFeatures: number,
    readonly units: number,
    readonly pieces: number,
    options: MaxoutOptions = {},
  ) {
    super();
    checkSize('Maxout', 'inFeatures', inFeatures);
    checkSize('Maxout', 'units', units);
    checkSize('Maxout', 'pieces', pieces);
    checkOptionNames('Maxout', options, ['device', 'generator', 'weightInit', 'biasInit', 'dropoutAfter', 'dropoutGenerator']);
    checkDeviceOption('Maxout', options.device);
    checkGenerator('Maxout', 'generator', options.generator);
    checkGenerator('Maxout', 'dropoutGenerator', options.dropoutGenerator);
    checkInitializer('Maxout', 'weightInit', options.weightInit);
    checkInitializer('Maxout', 'biasInit', options.biasInit);
    const keep = options.dropoutAfter ?? 1;
    if (typeof keep !== 'number' || !(keep > 0 && keep <= 1))
      throw new SaddleError('Maxout', `dropoutAfter is ${keep}; expected a keep probability, 0 < keep <= 1`);
    this.dropoutAfter = keep;
    this.dropoutGenerator = options.dropoutGenerator;
    const ctx = { device: options.device, generator: options.generator };
    this.weight = this.addParameter('weight', (options.weightInit ?? glorotUniform())([inFeatures, units * pieces], ctx));
    this.bias = this.addParameter('bias', (options.biasInit ?? zeros)([units * pieces], ctx));
  }

  /** The maximum over each unit's pieces of x·W + b, for `x` of shape [batch, inFeatures]. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new SaddleError('Maxout', `input has shape ${fmtShape(x.shape)}; expected [batch, ${this.inFeatures}]`);
    }
    const z = matmul(x, this.weight, { bias: this.bias });
    if (this.training && this.dropoutAfter < 1) return maxoutDropout(z, this.pieces, this.dropoutAfter, { generator: this.dropoutGenerator }).out;
    return maxout(z, this.pieces).out;
  }
}
