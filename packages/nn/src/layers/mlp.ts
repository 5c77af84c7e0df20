import type { Activation } from '@saddle/autograd';
import { Linear } from './linear.js';
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
  const layers: Linear[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const last = i + 2 === widths.length;
    layers.push(
      new Linear(widths[i]!, widths[i + 1]!, {
        ...options,
        activation: last ? (options.outputActivation ?? 'none') : (options.activation ?? 'relu'),
      }),
    );
  }
  return new Sequential(...layers);
}
