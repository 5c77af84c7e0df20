/**
 * Schedules for a hyperparameter as a function of training progress. `step` counts minibatch
 * updates (0 for the first), `epoch` counts passes over the data (0 for the first, fractional
 * within an epoch if the caller likes).
 */
export interface Progress {
  step: number;
  epoch: number;
}

/** A hyperparameter as a function of training progress (step, epoch). */
export type Schedule = (p: Progress) => number;

/** The same value at every step. */
export function constant(value: number): Schedule {
  return () => value;
}

/**
 * The paper's learning rate: `initial` divided by `decay` after every minibatch, never below
 * `floor` (0.1 / 1.000004^step, floor 1e-6).
 */
export function exponentialDecay(initial: number, decay: number, floor = 0): Schedule {
  return ({ step }) => Math.max(initial / decay ** step, floor);
}

/**
 * Linear from `from` at epoch `startEpoch` to `to` at `endEpoch`, flat outside (the paper's
 * momentum: 0.5 to 0.7 between epochs 1 and 250).
 */
export function linearRamp(from: number, to: number, startEpoch: number, endEpoch: number): Schedule {
  return ({ epoch }) => {
    if (epoch <= startEpoch) return from;
    if (epoch >= endEpoch) return to;
    return from + ((to - from) * (epoch - startEpoch)) / (endEpoch - startEpoch);
  };
}

/**
 * `base` times a factor that is 1 until the last `fraction` of `totalSteps` steps, then falls
 * linearly to 0 at step `totalSteps` (a learning-rate decay toward the end of a known budget:
 * the last steps take small moves, so the weights settle instead of jittering around the
 * optimum). With `fraction` 0 it is `base`. Steps past `totalSteps` get 0.
 */
export function linearTail(base: Schedule, totalSteps: number, fraction: number): Schedule {
  if (!(Number.isInteger(totalSteps) && totalSteps > 0)) throw new RangeError(`linearTail: totalSteps is ${totalSteps}; expected a positive integer`);
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`linearTail: fraction is ${fraction}; expected a number in [0, 1]`);
  if (fraction === 0) return base;
  const span = fraction * totalSteps;
  return (p) => base(p) * Math.max(0, Math.min(1, (totalSteps - p.step) / span));
}
