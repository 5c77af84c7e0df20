import { SaddleError, fmtShape, fromArray, keep, sgdMomentumUpdateMany, zerosLike, type Tensor } from '@saddle/autograd';
import { constant, type Progress, type Schedule } from './schedules.js';

/** Options of `SGD`: learning rate, momentum, weight decay (numbers or schedules). */
export interface SGDOptions {
  /** A number, or a schedule of (step, epoch). */
  lr: number | Schedule;
  momentum?: number | Schedule;
  weightDecay?: number;
  /**
   * Parameters updated per dispatch of the multi-tensor kernel (default: as many as the device can
   * bind, `sgdMomentumTensorsPerDispatch`); 1 runs one kernel per parameter.
   */
  tensorsPerDispatch?: number;
}

/**
 * Stochastic gradient descent with classic momentum, in place:
 * v = momentum·v − lr·(g + weightDecay·p);  p = p + v.
 * On WebGPU, `step()` updates all the parameters with the multi-tensor kernel
 * (`sgdMomentumUpdateMany`): one dispatch per group of as many parameters as the device can bind.
 * `step()` uses each parameter's `.grad` (parameters without one are left alone), then advances the
 * step counter that the schedules read. Call `zeroGrad()` before the next backward.
 */
export class SGD {
  readonly params: readonly Tensor[];
  private readonly velocities: Tensor[];
  private readonly lr: Schedule;
  private readonly momentum: Schedule;
  private readonly weightDecay: number;
  private readonly tensorsPerDispatch: number | undefined;
  /** Minibatch updates taken so far. */
  stepCount = 0;
  /** Set by the training loop; schedules in epochs read it. */
  epoch = 0;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    this.params = [...params];
    const seen = new Set<Tensor>();
    for (const p of this.params) {
      if (seen.has(p)) throw new SaddleError('SGD', `parameter #${p.id} ${fmtShape(p.shape)} is listed twice`);
      seen.add(p);
      if (!p.requiresGrad) throw new SaddleError('SGD', `parameter #${p.id} ${fmtShape(p.shape)} does not require grad`);
    }
    if (typeof options.lr === 'number') checkHyper('lr', options.lr);
    if (typeof options.momentum === 'number') checkHyper('momentum', options.momentum);
    checkHyper('weightDecay', options.weightDecay ?? 0);
    this.lr = typeof options.lr === 'number' ? constant(options.lr) : options.lr;
    this.momentum = typeof options.momentum === 'function' ? options.momentum : constant(options.momentum ?? 0);
    this.weightDecay = options.weightDecay ?? 0;
    this.tensorsPerDispatch = options.tensorsPerDispatch;
    this.velocities = this.params.map((p) => keep(zerosLike(p)));
  }

  /** The hyperparameters the next step will use (a schedule's value is checked like a number's). */
  current(): { lr: number; momentum: number } {
    const p: Progress = { step: this.stepCount, epoch: this.epoch };
    return { lr: checkHyper('lr', this.lr(p)), momentum: checkHyper('momentum', this.momentum(p)) };
  }

  /** One update of every parameter from its gradient (`v = momentum·v − lr·g; p = p + v`). */
  step(): void {
    const { lr, momentum } = this.current();
    const ps: Tensor[] = [];
    const gs: Tensor[] = [];
    const vs: Tensor[] = [];
    this.params.forEach((p, i) => {
      if (p.isDisposed) {
        throw new SaddleError(
          'SGD.step',
          `parameter ${i} (#${p.id} ${fmtShape(p.shape)}) was disposed; expected the optimizer's parameters to stay alive (dispose the optimizer with its model)`,
        );
      }
      if (!p.grad) return;
      ps.push(p);
      gs.push(p.grad);
      vs.push(this.velocities[i]!);
    });
    if (ps.length) sgdMomentumUpdateMany(ps, gs, vs, { lr, momentum, weightDecay: this.weightDecay }, { tensorsPerDispatch: this.tensorsPerDispatch });
    this.stepCount++;
  }

  /** Drops the gradients of the parameters, before the next backward. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** The optimizer's state (velocities by parameter index, counters), for checkpoints. */
  async stateDict(): Promise<{ stepCount: number; epoch: number; velocities: Float32Array[] }> {
    const velocities: Float32Array[] = [];
    for (const v of this.velocities) velocities.push(Float32Array.from(await v.toArray()));
    return { stepCount: this.stepCount, epoch: this.epoch, velocities };
  }

  /** Restores the velocities and step counters of a checkpoint. */
  loadVelocities(values: readonly ArrayLike<number>[], counters: { stepCount: number; epoch: number }): void {
    if (values.length !== this.velocities.length) {
      throw new SaddleError('SGD.load', `${values.length} velocities given; expected ${this.velocities.length}`);
    }
    this.velocities.forEach((v, i) => {
      if (values[i]!.length !== v.size) throw new SaddleError('SGD.load', `velocity ${i} has ${values[i]!.length} values; expected ${v.size}`);
    });
    this.velocities.forEach((v, i) => {
      const fresh = keep(fromValues(values[i]!, v));
      v.dispose();
      this.velocities[i] = fresh;
    });
    this.stepCount = counters.stepCount;
    this.epoch = counters.epoch;
  }

  /** Frees the velocities. */
  dispose(): void {
    for (const v of this.velocities) v.dispose();
  }
}

/** A learning rate, momentum or weight decay: a finite number >= 0. Returns it. */
function checkHyper(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SaddleError('SGD', `${name} is ${String(value)}; expected a finite number >= 0`);
  }
  return value;
}

function fromValues(values: ArrayLike<number>, like: Tensor): Tensor {
  return fromArray(values, like.shape, { dtype: like.dtype, device: like.device });
}
