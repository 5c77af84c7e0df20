import { SaddleError, sgdMomentumUpdateMany, type Tensor } from '@saddle/autograd';
import { Optimizer, checkHyper, checkSchedule, type OptimizerOptions } from './optimizer.js';
import { constant, type Schedule } from './schedules.js';

/** Options of `SGD`: learning rate, momentum, weight decay and clipping (see OptimizerOptions). */
export interface SGDOptions extends OptimizerOptions {
  /** Momentum coefficient, >= 0 (a number or a schedule); default 0 (plain SGD). */
  momentum?: number | Schedule;
  /**
   * Parameters updated per dispatch of the multi-tensor kernel (default: as many as the device can
   * bind, `sgdMomentumTensorsPerDispatch`); 1 runs one kernel per parameter.
   */
  tensorsPerDispatch?: number;
}

/**
 * Stochastic gradient descent with classic momentum, in place:
 * v = momentum·v − lr·(g + weightDecay·p);  p = p + v  (weight decay as an L2 penalty, as PyTorch's SGD).
 * On WebGPU, `step()` updates all the parameters with the multi-tensor kernel
 * (`sgdMomentumUpdateMany`): one dispatch per group of as many parameters as the device can bind.
 * `step()` uses each parameter's `.grad` (parameters without one are left alone), then advances the
 * step counter that the schedules read. Call `zeroGrad()` before the next backward.
 */
export class SGD extends Optimizer {
  private readonly momentum: Schedule;
  private readonly tensorsPerDispatch: number | undefined;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super('SGD', params, options, ['momentum', 'tensorsPerDispatch'], ['velocity']);
    this.momentum = options.momentum === undefined ? constant(0) : checkSchedule('SGD', 'momentum', options.momentum);
    const { tensorsPerDispatch } = options;
    if (tensorsPerDispatch !== undefined && !(Number.isInteger(tensorsPerDispatch) && tensorsPerDispatch >= 1)) {
      throw new SaddleError('SGD', `tensorsPerDispatch is ${String(tensorsPerDispatch)}; expected a positive integer`);
    }
    this.tensorsPerDispatch = tensorsPerDispatch;
  }

  /** The hyperparameters the next step will use (a schedule's value is checked like a number's). */
  current(): { lr: number; momentum: number } {
    const p = this.progress();
    return { lr: checkHyper('SGD', 'lr', this.lr(p)), momentum: checkHyper('SGD', 'momentum', this.momentum(p)) };
  }

  protected update(indices: readonly number[], { lr, momentum }: { lr: number; momentum: number }): void {
    const ps = indices.map((i) => this.params[i]!);
    sgdMomentumUpdateMany(
      ps,
      ps.map((p) => p.grad!),
      indices.map((i) => this.buffers.velocity![i]!),
      { lr, momentum, weightDecay: this.weightDecay },
      { tensorsPerDispatch: this.tensorsPerDispatch },
    );
  }
}
