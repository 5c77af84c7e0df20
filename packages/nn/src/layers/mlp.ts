import type { Activation } from '@saddle/autograd';
import { SaddleError } from '@saddle/autograd';
import { LINEAR_OPTIONS, Linear, checkLinearOptions } from './linear.js';
import { checkActivation } from '../options.js';
import { checkSize } from '../module.js';
import { Sequential } from './sequential.js';
import type { InitContext, Initializer } from '../init.js';

/** Options of `mlp`: the hidden and output activations, initializers. */
export interface MLPOptions extends InitContext {
  /** Between hidden layers (fused into each Linear). */
  activation?: Activation;
  /** After the last layer. */
  outputActivation?: Activation;
  weightInit?: Initializer;
  biasInit?: Initializer;
}

/** A multi-layer perceptron through `widths` (e.g. [100, 1200, 1200, 784]): Linear layers with fused activations. */
export function mlp(widths: readonly number[], options: MLPOptions = {}): Sequential {
  const given: unknown = widths; // checked as it comes: a JavaScript caller can pass anything
  if (!Array.isArray(given) || widths.length < 2) {
    throw new SaddleError('mlp', `widths is ${JSON.stringify(widths)}; expected at least two layer widths, e.g. [784, 512, 10]`);
  }
  widths.forEach((w, i) => checkSize('mlp', `widths[${i}]`, w));
  checkLinearOptions('mlp', options, [...LINEAR_OPTIONS.filter((n) => n !== 'bias'), 'outputActivation']);
  checkActivation('mlp', 'outputActivation', options.outputActivation);
  const { outputActivation, activation, ...linear } = options;
  const layers: Linear[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const last = i + 2 === widths.length;
    layers.push(
      new Linear(widths[i]!, widths[i + 1]!, {
        ...linear,
        activation: last ? (outputActivation ?? 'none') : (activation ?? 'relu'),
      }),
    );
  }
  return new Sequential(...layers);
}
