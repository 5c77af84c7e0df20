import { SaddleError, fmtShape, fromArray, keep, zerosLike, type Device, type Tensor } from '@saddle/autograd';
import type { SafeTensor, SafetensorsContents } from '../safetensors.js';
import { checkMaxNorm, clipGradNorm } from './clip.js';
import { constant, type Progress, type Schedule } from './schedules.js';
import { checkOptionNames } from '../options.js';

/** What every optimizer accepts. */
export interface OptimizerOptions {
  /** Learning rate: a number, or a schedule of (step, epoch) (see `schedules`). */
  lr: number | Schedule;
  /** Weight decay, >= 0 (each optimizer says how it applies it). */
  weightDecay?: number;
  /**
   * Clip the gradients' joint L2 norm to this (> 0) before each step, as `clipGradNorm` does
   * (PyTorch's `clip_grad_norm_`); default: no clipping.
   */
  clipGradNorm?: number;
}

/**
 * An optimizer's state as safetensors: one tensor per per-parameter buffer, named
 * `<buffer>.<parameter index>` (`velocity.0`; `m.3`, `v.3`), of the parameter's dtype and shape,
 * and string metadata: `optimizer` (its class), `stepCount`, `epoch`, and whatever else the
 * optimizer counts. `saveOptimizer`/`loadOptimizer` (Node) write and read it as a file.
 */
export type OptimizerState = SafetensorsContents;

/** A hyperparameter: a finite number >= 0 (a schedule's value is checked each step). Returns it. */
export function checkHyper(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SaddleError(op, `${name} is ${String(value)}; expected a finite number >= 0`);
  }
  return value;
}

/** A number or a schedule; a number is checked now. */
export function checkSchedule(op: string, name: string, value: unknown): Schedule {
  if (typeof value === 'function') return value as Schedule;
  if (typeof value !== 'number') throw new SaddleError(op, `${name} is ${String(value)}; expected a finite number >= 0 or a schedule ((progress) => number)`);
  return constant(checkHyper(op, name, value));
}

/**
 * The base of SGD, Adam and AdamW: the parameters (checked when the optimizer is built), the step
 * counter the schedules read, gradient clipping, `zeroGrad`, and the state as safetensors. A
 * subclass names its per-parameter buffers (zeros like each parameter, created here) and applies
 * one update with its fused kernel.
 */
export abstract class Optimizer {
  /** The parameters it updates, in the order given (the state's buffers are indexed by it). */
  readonly params: readonly Tensor[];
  /** Minibatch updates taken so far. */
  stepCount = 0;
  /** Set by the training loop; schedules in epochs read it. */
  epoch = 0;
  protected readonly lr: Schedule;
  protected readonly weightDecay: number;
  private readonly maxGradNorm: number | undefined;
  /** Per-parameter state by buffer name (velocity; m and v), each `keep()`-ed. */
  protected readonly buffers: Record<string, Tensor[]> = {};

  protected constructor(
    /** The class's name, in errors and in the saved state. */
    readonly name: string,
    params: Iterable<Tensor>,
    options: OptimizerOptions,
    optionNames: readonly string[],
    bufferNames: readonly string[],
  ) {
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new SaddleError(name, `params is ${String(params)}; expected an iterable of parameter tensors (model.parameters())`);
    }
    this.params = [...params];
    checkParams(name, this.params);
    checkOptionNames(name, options, ['lr', 'weightDecay', 'clipGradNorm', ...optionNames]);
    if (options.lr === undefined) throw new SaddleError(name, 'lr is undefined; expected a finite number >= 0 or a schedule');
    this.lr = checkSchedule(name, 'lr', options.lr);
    this.weightDecay = checkHyper(name, 'weightDecay', options.weightDecay ?? 0);
    this.maxGradNorm = options.clipGradNorm === undefined ? undefined : checkMaxNorm(name, 'clipGradNorm', options.clipGradNorm);
    for (const b of bufferNames) this.buffers[b] = this.params.map((p) => keep(zerosLike(p)));
  }

  /** Where the schedules are: the next step's number and the current epoch. */
  protected progress(): Progress {
    return { step: this.stepCount, epoch: this.epoch };
  }

  /** The hyperparameters the next step will use, schedules evaluated and checked (a SaddleError if bad). */
  abstract current(): { lr: number };

  /** Updates the parameters (by index) that have gradients, with this step's hyperparameters (from `current()`). */
  protected abstract update(indices: readonly number[], hp: ReturnType<this['current']>): void;

  /**
   * One update of every parameter that has a `.grad` (the others are left alone), after clipping
   * the gradients if asked; then advances the step counter that the schedules read. Call
   * `zeroGrad()` before the next backward.
   */
  step(): void {
    const op = `${this.name}.step`;
    const hp = this.current() as ReturnType<this['current']>;
    const indices: number[] = [];
    this.params.forEach((p, i) => {
      if (p.isDisposed) {
        throw new SaddleError(
          op,
          `parameter ${i} (#${p.id} ${fmtShape(p.shape)}) was disposed; expected the optimizer's parameters to stay alive (dispose the optimizer with its model)`,
        );
      }
      if (p.grad && !p.grad.isDisposed) indices.push(i);
    });
    if (indices.length) {
      if (this.maxGradNorm !== undefined)
        clipGradNorm(
          indices.map((i) => this.params[i]!),
          this.maxGradNorm,
        ).dispose();
      this.update(indices, hp);
    }
    this.stepCount++;
  }

  /** Drops the parameters' gradients, before the next backward. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Counters besides stepCount and epoch that the state must hold (Adam: each parameter's own step). */
  protected extraState(): Record<string, string> {
    return {};
  }

  /** Restores `extraState`'s values (checked: a SaddleError naming `source` if they do not fit). */
  protected loadExtraState(_metadata: Record<string, string>, _from: string): void {}

  /**
   * The optimizer's state, read back from the device: every buffer as a tensor named
   * `<buffer>.<index>`, and the counters as metadata. `loadStateDict` restores it exactly: steps
   * after a save and load give the same bits as steps without one.
   */
  async stateDict(): Promise<OptimizerState> {
    const tensors: Record<string, SafeTensor> = {};
    for (const [b, ts] of Object.entries(this.buffers)) {
      for (let i = 0; i < ts.length; i++) tensors[`${b}.${i}`] = { dtype: ts[i]!.dtype, shape: [...ts[i]!.shape], data: await ts[i]!.toArray() };
    }
    const metadata = { optimizer: this.name, stepCount: String(this.stepCount), epoch: String(this.epoch), ...this.extraState() };
    return { tensors, metadata };
  }

  /**
   * Writes a state from `stateDict` (or a file saved from one) into this optimizer. It must be the
   * same optimizer over parameters of the same shapes; everything is checked before anything is
   * written, so a bad state leaves the optimizer unchanged. `source` (a file) is named in errors.
   */
  loadStateDict(state: OptimizerState, source?: string): void {
    const op = `${this.name}.loadStateDict`;
    const from = source === undefined ? '' : ` (loading ${source})`;
    const { tensors, metadata } = state;
    if (metadata.optimizer !== this.name) {
      throw new SaddleError(op, `the state is of optimizer ${String(metadata.optimizer)}; expected ${this.name}${from}`);
    }
    const counter = (key: string) => {
      const n = Number(metadata[key]);
      if (!/^\d+(\.\d+)?$/.test(metadata[key] ?? '') || !Number.isFinite(n))
        throw new SaddleError(op, `${key} is ${String(metadata[key])} in the state; expected a number >= 0${from}`);
      return n;
    };
    const stepCount = counter('stepCount');
    const epoch = counter('epoch');
    const expected = new Set<string>();
    for (const [b, ts] of Object.entries(this.buffers)) {
      ts.forEach((t, i) => {
        const key = `${b}.${i}`;
        expected.add(key);
        const s = tensors[key];
        if (!s) throw new SaddleError(op, `the state has no ${key}; expected ${b} for each of the ${ts.length} parameters${from}`);
        if (s.shape.length !== t.rank || s.shape.some((d, k) => d !== t.shape[k]) || s.data.length !== t.size) {
          throw new SaddleError(op, `${key} has shape ${fmtShape(s.shape)} in the state; expected ${fmtShape(t.shape)} (parameter ${i})${from}`);
        }
        if (s.dtype !== t.dtype) throw new SaddleError(op, `${key} has dtype ${s.dtype} in the state; expected ${t.dtype}${from}`);
      });
    }
    const extra = Object.keys(tensors).filter((k) => !expected.has(k));
    if (extra.length)
      throw new SaddleError(
        op,
        `the state has unexpected tensors [${extra.join(', ')}]; expected only ${[...Object.keys(this.buffers)].join(', ')} per parameter${from}`,
      );
    this.loadExtraState(metadata, from);
    for (const [b, ts] of Object.entries(this.buffers)) {
      ts.forEach((t, i) => {
        ts[i] = keep(fromArray(tensors[`${b}.${i}`]!.data, t.shape, { dtype: t.dtype, device: t.device }));
        t.dispose();
      });
    }
    this.stepCount = stepCount;
    this.epoch = epoch;
  }

  /** Frees the optimizer's buffers (not the parameters: the model owns those). */
  dispose(): void {
    for (const ts of Object.values(this.buffers)) for (const t of ts) t.dispose();
  }
}

/** A tensor, recognised by its shape and methods (not `instanceof`: a second copy of the package makes Tensors too). */
function isTensor(p: unknown): p is Tensor {
  const t = p as Partial<Tensor> | null;
  return typeof p === 'object' && p !== null && Array.isArray(t!.shape) && typeof t!.dispose === 'function' && typeof t!.toArray === 'function';
}

/**
 * The checks on an optimizer's parameters when it is built: tensors, alive, requiring grad, of a
 * float dtype, on one device, none listed twice. (Each would otherwise fail only at the first step.)
 */
function checkParams(op: string, params: readonly unknown[]): void {
  const seen = new Set<Tensor>();
  let device: Device | undefined;
  params.forEach((p, i) => {
    if (!isTensor(p))
      throw new SaddleError(op, `parameter ${i} is ${typeof p === 'object' ? String((p as object)?.constructor?.name ?? p) : String(p)}; expected a Tensor`);
    const what = `parameter ${i} (#${p.id} ${fmtShape(p.shape)})`;
    if (p.isDisposed) throw new SaddleError(op, `${what} was disposed; expected live parameters (build the optimizer from a live model)`);
    if (seen.has(p)) throw new SaddleError(op, `${what} is listed twice`);
    seen.add(p);
    if (!p.requiresGrad) throw new SaddleError(op, `${what} does not require grad; expected parameters (param(t) or a layer's parameters())`);
    if (p.dtype !== 'f32' && p.dtype !== 'f64') throw new SaddleError(op, `${what} has dtype ${p.dtype}; expected f32 or f64`);
    device ??= p.device;
    if (p.device !== device) throw new SaddleError(op, `${what} is on ${p.device.name} but parameter 0 is on ${device.name}; expected one device`);
  });
}
