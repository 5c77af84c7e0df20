import { SaddleError, Tensor, fmtShape, tidy, zerosLike } from '@saddle/tensor';
import { dense } from './ops.js';
import { runBackward } from './backward.js';
import { enableGrad, isGradEnabled } from './grad-mode.js';
import { alias, detach, requiresGrad } from './tape.js';

/**
 * A function with a one-element result. A one-tensor array counts as that tensor, so that the
 * gradients `grad(f)` returns for a one-input f can be differentiated again: `grad(grad(f))`.
 */
type ScalarFn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/** Options of `grad`: whether the gradients are recorded for a second derivative. */
export interface GradOptions {
  /**
   * Record the gradients onto the tape, so that they can be differentiated again: `grad(grad(f))`,
   * a Hessian-vector product, a gradient penalty. Default: on when grad mode is on and one of the
   * differentiated inputs itself requires grad (a nested `grad`, or inputs on an outer tape); pass
   * `true` to differentiate the result with respect to parameters `fn` closes over (R1 penalty).
   */
  createGraph?: boolean;
}

/**
 * `valueAndGrad(fn)(...inputs)`: runs `fn` (which must return a one-element tensor) and returns its
 * value and its gradient with respect to each input, as new tensors the caller owns.
 *
 * The functional form leaves no trace: the inputs are not marked, no `.grad` anywhere is written
 * (not even that of parameters `fn` closes over), and the graph it builds is freed and its
 * intermediates disposed before it returns. An input the value does not depend on gets zeros.
 * `argnums` picks the inputs to differentiate (default: all of them, in order). fn runs with
 * grad mode on even under `noGrad` (a gradient needs its tape).
 *
 * With `createGraph` (see GradOptions) the value and the gradients stay on the tape instead: an
 * input that requires grad is differentiated through (its gradients reach the outer graph), and
 * the intermediates belong to the enclosing `tidy` (call it inside one), since the outer backward
 * still needs them.
 */
export function valueAndGrad(
  fn: ScalarFn,
  argnums?: readonly number[],
  options: GradOptions = {},
): (...inputs: Tensor[]) => { value: Tensor; grads: Tensor[] } {
  return (...inputs) => {
    const which = argnums ?? inputs.map((_, i) => i);
    for (const i of which) {
      if (!(inputs[i] instanceof Tensor)) throw new SaddleError('grad', `argument ${i} is not a tensor; expected a tensor for every differentiated argument`);
    }
    const createGraph = options.createGraph ?? (isGradEnabled() && which.some((i) => inputs[i]!.requiresGrad));
    // fn's forward must record to be differentiated, even when called under noGrad.
    if (createGraph) return enableGrad(() => recordingValueAndGrad(fn, inputs, which));
    // Leaves of our own: views of the inputs (no copy) that require grad, cut from any outer graph.
    const args = inputs.map((x, i) => (which.includes(i) ? requiresGrad(detach(x)) : x));
    try {
      return tidy(() => {
        const value = checkValue(enableGrad(() => fn(...args)));
        const wanted = which.map((i) => args[i]!);
        // A value that does not depend on any input has zero gradients.
        const grads = value.requiresGrad ? runBackward(value, undefined, false, wanted) : new Map<Tensor, Tensor>();
        return { value: detach(value), grads: wanted.map((leaf) => dense(grads.get(leaf) ?? zerosLike(leaf))) };
      });
    } finally {
      which.forEach((i) => args[i]!.dispose());
    }
  };
}

/**
 * valueAndGrad with createGraph. Each differentiated input becomes an `alias` (on the tape, so
 * an outer graph sees through it) or, if it is not on a tape, a fresh leaf; backward stops at
 * those and records the gradients it computes. Nothing is disposed here.
 */
function recordingValueAndGrad(fn: ScalarFn, inputs: readonly Tensor[], which: readonly number[]): { value: Tensor; grads: Tensor[] } {
  const args = inputs.map((x, i) => (!which.includes(i) ? x : x.requiresGrad && isGradEnabled() ? alias(x) : requiresGrad(detach(x))));
  const value = checkValue(fn(...args));
  const wanted = which.map((i) => args[i]!);
  // The graph stays: the gradients recorded here lead back through it.
  const grads = value.requiresGrad ? runBackward(value, undefined, true, wanted, true) : new Map<Tensor, Tensor>();
  return { value, grads: wanted.map((x) => dense(grads.get(x) ?? zerosLike(x))) };
}

function checkValue(result: Tensor | readonly Tensor[]): Tensor {
  const value: unknown = Array.isArray(result) && result.length === 1 ? result[0] : result;
  if (!(value instanceof Tensor) || value.size !== 1) {
    const got = value instanceof Tensor ? `a tensor of shape ${fmtShape(value.shape)}` : 'something other than a tensor';
    throw new SaddleError('grad', `the function returned ${got}; expected a one-element tensor (reduce it with sum or mean)`);
  }
  return value;
}

/**
 * `grad(fn)(...inputs)`: the gradients of `fn` (a one-element result) with respect to its inputs,
 * one tensor per input (or per entry of `argnums`), owned by the caller. See `valueAndGrad`;
 * `grad(grad(f))` composes (the inner grad sees inputs on the outer tape and records).
 */
export function grad(fn: ScalarFn, argnums?: readonly number[], options: GradOptions = {}): (...inputs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(fn, argnums, options);
  return (...inputs) => {
    const { value, grads } = vg(...inputs);
    if (!value.requiresGrad) value.dispose();
    return grads;
  };
}
