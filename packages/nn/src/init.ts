import { SaddleError, full, rand, randn, type Device, type Generator, type Shape, type Tensor } from '@saddle/autograd';

/** What an initializer may use: the device and the generator its random values come from. */
export interface InitContext {
  device?: Device;
  generator?: Generator;
}

/** Makes a parameter's initial value. `shape` is [fanIn, fanOut] for a weight. */
export type Initializer = (shape: Shape, ctx: InitContext) => Tensor;

/** U(low, high), as the paper's code initialised weights (G: ±0.05, D: ±0.005). */
export function uniform(low: number, high: number): Initializer {
  if (!(low < high)) throw new SaddleError('uniform', `low (${low}) must be below high (${high})`);
  return (shape, ctx) => rand(shape, { low, high, device: ctx.device, generator: ctx.generator });
}

/** Weights drawn from N(mean, std²). */
export function normal(mean = 0, std = 1): Initializer {
  return (shape, ctx) => randn(shape, { mean, std, device: ctx.device, generator: ctx.generator });
}

/** Every weight equal to `value`. */
export function constant(value: number): Initializer {
  return (shape, ctx) => full(shape, value, { device: ctx.device });
}

/** Every weight zero. */
export const zeros: Initializer = constant(0);

/** Glorot/Xavier uniform: U(±sqrt(6 / (fanIn + fanOut))). */
export function glorotUniform(): Initializer {
  return (shape, ctx) => {
    const [fanIn = 1, fanOut = 1] = shape;
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return rand(shape, { low: -a, high: a, device: ctx.device, generator: ctx.generator });
  };
}
