/**
 * The checks a layer or optimizer makes on its options when it is built, so that a mistake fails
 * where it was made (`mlp(..., { activation: 'tanh' })` at construction, not at the first forward),
 * with a SaddleError naming the layer, the option and the allowed values.
 */
import { ACTIVATIONS, SaddleError, type Activation } from '@saddle/autograd';

const quoted = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');

/** Refuses option names `op` does not know (a typo would otherwise be silently ignored). */
export function checkOptionNames(op: string, options: unknown, allowed: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new SaddleError(op, `options are ${String(options)}; expected an object with some of ${quoted(allowed)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new SaddleError(op, `unknown option '${key}'; expected one of ${quoted(allowed)}`);
  }
}

/** An activation a matmul can fuse; undefined passes (the layer's default applies). */
export function checkActivation(op: string, name: string, value: unknown): void {
  if (value !== undefined && !ACTIVATIONS.includes(value as Activation)) {
    throw new SaddleError(op, `${name} is ${typeof value === 'string' ? `'${value}'` : String(value)}; expected one of ${quoted(ACTIVATIONS)}`);
  }
}

/** An initializer (a function of (shape, ctx), such as `init.glorotUniform()`); undefined passes. */
export function checkInitializer(op: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new SaddleError(
      op,
      `${name} is ${String(value)}; expected an initializer: init.glorotUniform(), init.uniform(low, high), init.normal(mean, std), init.constant(v) or init.zeros`,
    );
  }
}

/**
 * A random Generator; undefined passes (the default generator is used). Recognised by its methods,
 * not `instanceof`, so that a Generator from a second copy of the package passes too.
 */
export function checkGenerator(op: string, name: string, value: unknown): void {
  const g = value as { getState?: unknown; manualSeed?: unknown } | null;
  if (value !== undefined && !(typeof value === 'object' && value !== null && typeof g!.getState === 'function' && typeof g!.manualSeed === 'function'))
    throw new SaddleError(op, `${name} is ${String(value)}; expected a Generator (new Generator(seed))`);
}

/** A device (cpu, or one from getDevice/useDevice); undefined passes (the default device is used). */
export function checkDeviceOption(op: string, value: unknown): void {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (value !== undefined && !(typeof value === 'object' && value !== null && (kind === 'cpu' || kind === 'webgpu' || kind === 'wasm'))) {
    throw new SaddleError(op, `device is ${String(value)}; expected a Device: cpu, or await getDevice('webgpu' | 'wasm')`);
  }
}

/** A boolean; undefined passes. */
export function checkBoolean(op: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new SaddleError(op, `${name} is ${String(value)}; expected true or false`);
}

/**
 * Checks the options every layer with a weight and a bias shares: the option names (`allowed`),
 * device, generator, weightInit, biasInit and bias (Linear, Conv2d, ConvTranspose2d).
 */
export function checkParameterOptions(
  op: string,
  options: { device?: unknown; generator?: unknown; weightInit?: unknown; biasInit?: unknown; bias?: unknown },
  allowed: readonly string[],
): void {
  checkOptionNames(op, options, allowed);
  checkDeviceOption(op, options.device);
  checkGenerator(op, 'generator', options.generator);
  checkInitializer(op, 'weightInit', options.weightInit);
  checkInitializer(op, 'biasInit', options.biasInit);
  checkBoolean(op, 'bias', options.bias);
}
