import { SaddleError, Tensor, copyInto, fmtShape, fromArray, param, type Device, type DType } from '@saddle/autograd';

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
 * The base of every layer, as in PyTorch: parameters and sub-modules registered by name, a
 * train/eval mode that propagates to children, and `forward`. A module owns its parameters:
 * `dispose()` frees them (and their gradients).
 */
export abstract class Module {
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** The layer's output for input `x`. */
  abstract forward(x: Tensor): Tensor;

  /** Registers `t` as a parameter (it requires grad and survives `tidy`). */
  protected addParameter(name: string, t: Tensor): Tensor {
    if (this.ownParams.has(name) || this.children.has(name)) throw new SaddleError('Module', `duplicate name '${name}'`);
    this.ownParams.set(name, param(t));
    return t;
  }

  /** Registers `m` as a submodule called `name` (its parameters become this module's); returns it. */
  protected addModule<M extends Module>(name: string, m: M): M {
    if (this.ownParams.has(name) || this.children.has(name)) throw new SaddleError('Module', `duplicate name '${name}'`);
    this.children.set(name, m);
    return m;
  }

  /** Every parameter, with dotted names (`layers.0.weight`), in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.ownParams) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Every parameter of this module and its submodules, in registration order. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
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

  /** The parameters' values, read back to the CPU, by name. */
  async stateDict(): Promise<Record<string, ParameterData>> {
    const out: Record<string, ParameterData> = {};
    for (const [name, t] of this.namedParameters()) {
      out[name] = { dtype: t.dtype, shape: [...t.shape], data: await t.toArray() };
    }
    return out;
  }

  /**
   * Writes values into the parameters in place. Every parameter must be present with its shape; all
   * are checked before any is written, so a bad state leaves the module unchanged. `source` (a file)
   * is named in the errors.
   */
  loadStateDict(state: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>, source?: string): void {
    const from = source === undefined ? '' : ` (loading ${source})`;
    const named = this.namedParameters();
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

  /** The device of the first parameter (or undefined for a module without parameters). */
  get device(): Device | undefined {
    return this.parameters()[0]?.device;
  }

  /** Disposes every parameter of this module and its submodules. */
  dispose(): void {
    for (const t of this.parameters()) t.dispose();
  }
}
