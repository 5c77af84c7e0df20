import { SaddleError, Tensor, copyInto, fmtShape, fromArray, keep, param, type Device, type DType } from '@saddle/autograd';

/** Throws unless a layer's size argument is a positive integer, naming the layer and the argument. */
export function checkSize(layer: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new SaddleError(layer, `${name} is ${String(value)}; expected a positive integer`);
}

/** A parameter's data, read back to the CPU (what checkpoints store). */
export interface ParameterData {
  dtype: DType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint32Array;
}

/**
 * The base of every layer, as in PyTorch: parameters, buffers and sub-modules registered by name, a
 * train/eval mode that propagates to children, and `forward`. A buffer is state that is not
 * trained (BatchNorm's running mean and variance): saved in the state with the parameters, never
 * given to an optimizer, updated by the layer itself. A module owns its parameters and buffers:
 * `dispose()` frees them (and the parameters' gradients).
 */
export abstract class Module {
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  private checkName(name: string): void {
    if (this.ownParams.has(name) || this.ownBuffers.has(name) || this.children.has(name)) throw new SaddleError('Module', `duplicate name '${name}'`);
  }

  /** The layer's output for input `x`. */
  abstract forward(x: Tensor): Tensor;

  /** Registers `t` as a parameter (it requires grad and survives `tidy`). */
  protected addParameter(name: string, t: Tensor): Tensor {
    this.checkName(name);
    this.ownParams.set(name, param(t));
    return t;
  }

  /**
   * Registers `t` as a buffer: state saved with the parameters (`stateDict`, checkpoints) that does
   * not require grad and is not a parameter; it survives `tidy`. The layer updates it in place.
   */
  protected addBuffer(name: string, t: Tensor): Tensor {
    this.checkName(name);
    this.ownBuffers.set(name, keep(t));
    return t;
  }

  /** Registers `m` as a submodule called `name` (its parameters become this module's); returns it. */
  protected addModule<M extends Module>(name: string, m: M): M {
    this.checkName(name);
    this.children.set(name, m);
    return m;
  }

  /** Every parameter, with dotted names (`layers.0.weight`), in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    return this.walk(prefix, (m) => m.ownParams);
  }

  /** The tensors `own` picks from this module and, depth first, from its submodules, by dotted name. */
  private walk(prefix: string, own: (m: Module) => Map<string, Tensor>): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of own(this)) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.walk(`${prefix}${n}.`, own));
    return out;
  }

  /** Every parameter of this module and its submodules, in registration order. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every buffer, with dotted names (`bn.runningMean`), in registration order. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    return this.walk(prefix, (m) => m.ownBuffers);
  }

  /** Every buffer of this module and its submodules, in registration order. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /**
   * What the state holds: every parameter, then every buffer, by name. A module without buffers
   * (every layer before BatchNorm) has the same state, so its older checkpoints load unchanged.
   */
  namedState(prefix = ''): [string, Tensor][] {
    return [...this.namedParameters(prefix), ...this.namedBuffers(prefix)];
  }

  /** Training mode (dropout active) or, with `false`, evaluation mode; for this module and its children. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode (dropout off) for this module and its submodules; returns this. */
  eval(): this {
    return this.train(false);
  }

  /** The parameters' and buffers' values, read back to the CPU, by name. */
  async stateDict(): Promise<Record<string, ParameterData>> {
    const out: Record<string, ParameterData> = {};
    for (const [name, t] of this.namedState()) {
      out[name] = { dtype: t.dtype, shape: [...t.shape], data: await t.toArray() };
    }
    return out;
  }

  /**
   * Writes values into the parameters and buffers in place. Every one must be present with its
   * shape; all are checked before any is written, so a bad state leaves the module unchanged.
   * `source` (a file) is named in the errors.
   */
  loadStateDict(state: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>, source?: string): void {
    const from = source === undefined ? '' : ` (loading ${source})`;
    const named = this.namedState();
    const missing = named.filter(([n]) => !(n in state)).map(([n]) => n);
    const known = new Set(named.map(([n]) => n));
    const extra = Object.keys(state).filter((n) => !known.has(n));
    if (missing.length || extra.length) {
      throw new SaddleError('loadStateDict', `parameters do not match: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]${from}`);
    }
    // Validate everything before writing anything: a mismatch in the last parameter must not leave
    // the first ones overwritten.
    for (const [name, t] of named) {
      const s = state[name]!;
      if (s.shape.length !== t.rank || s.shape.some((d, i) => d !== t.shape[i])) {
        throw new SaddleError('loadStateDict', `${name} has shape ${fmtShape(s.shape)} in the state; expected ${fmtShape(t.shape)}${from}`);
      }
      if (s.data.length !== t.size) {
        throw new SaddleError('loadStateDict', `${name} has ${s.data.length} values in the state; expected ${t.size} for shape ${fmtShape(t.shape)}${from}`);
      }
      t.assertAlive('loadStateDict');
    }
    for (const [name, t] of named) {
      const s = state[name]!;
      const src = fromArray(s.data, t.shape, { dtype: t.dtype, device: t.device });
      copyInto(t, src);
      src.dispose();
    }
  }

  /** The device of the first parameter or buffer (or undefined for a module without either). */
  get device(): Device | undefined {
    return this.namedState()[0]?.[1].device;
  }

  /** Disposes every parameter and buffer of this module and its submodules. */
  dispose(): void {
    for (const [, t] of this.namedState()) t.dispose();
  }
}
