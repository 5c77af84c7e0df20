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
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
    throw new SaddleError('uniform', `low is ${low} and high is ${high}; expected finite numbers with low < high`);
  }
  return (shape, ctx) => rand(shape, { low, high, device: ctx.device, generator: ctx.generator });
}

/** Weights drawn from N(mean, std²). */
export function normal(mean = 0, std = 1): Initializer {
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new SaddleError('normal', `mean is ${mean} and std is ${std}; expected a finite mean and a finite std >= 0`);
  }
  return (shape, ctx) => randn(shape, { mean, std, device: ctx.device, generator: ctx.generator });
}

/** Every weight equal to `value`. */
export function constant(value: number): Initializer {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SaddleError('constant', `value is ${String(value)}; expected a finite number`);
  return (shape, ctx) => full(shape, value, { device: ctx.device });
}

/** Every weight zero. */
export const zeros: Initializer = constant(0);

/**
 * Kaiming/He uniform for a layer with `fanIn` inputs per output: U(±√(6 / ((1 + a²)·fanIn))), as
 * `torch.nn.init.kaiming_uniform_` with leaky-ReLU slope a. PyTorch's default for Conv2d and
 * ConvTranspose2d weights is a = √5, i.e. U(±1/√fanIn). (fanIn is given, not read from the shape:
 * Linear stores [in, out], the convolutions [out, in/groups, kH, kW].)
 */
export function kaimingUniform(fanIn: number, a = Math.sqrt(5)): Initializer {
  if (!Number.isInteger(fanIn) || fanIn < 1 || !Number.isFinite(a)) {
    throw new SaddleError('kaimingUniform', `fanIn is ${fanIn} and a is ${a}; expected a positive integer fanIn and a finite a`);
  }
  const bound = Math.sqrt(6 / ((1 + a * a) * fanIn));
  return (shape, ctx) => rand(shape, { low: -bound, high: bound, device: ctx.device, generator: ctx.generator });
}

/** Glorot/Xavier uniform: U(±sqrt(6 / (fanIn + fanOut))). */
export function glorotUniform(): Initializer {
  return (shape, ctx) => {
    const [fanIn = 1, fanOut = 1] = shape;
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return rand(shape, { low: -a, high: a, device: ctx.device, generator: ctx.generator });
  };
}
