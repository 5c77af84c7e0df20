import { SaddleError, Tensor, fmtShape, tidy, zerosLike } from '@saddle/tensor';
import { dense } from '@saddle/kernels-wgsl';
import { runBackward } from './backward.js';
import { detach, requiresGrad } from './tape.js';

type ScalarFn = (...inputs: Tensor[]) => Tensor;

/**
 * `valueAndGrad(fn)(...inputs)`: runs `fn` (which must return a one-element tensor) and returns its
 * value and its gradient with respect to each input, as new tensors the caller owns.
 *
 * The functional form leaves no trace: the inputs are not marked, no `.grad` anywhere is written
 * (not even that of parameters `fn` closes over), and the graph it builds is freed and its
 * intermediates disposed before it returns. An input the value does not depend on gets zeros.
 * `argnums` picks the inputs to differentiate (default: all of them, in order).
 */
export function valueAndGrad(fn: ScalarFn, argnums?: readonly number[]): (...inputs: Tensor[]) => { value: Tensor; grads: Tensor[] } {
  return (...inputs) => {
    const which = argnums ?? inputs.map((_, i) => i);
    for (const i of which) {
      if (!(inputs[i] instanceof Tensor)) throw new SaddleError('grad', `argument ${i} is not a tensor; expected a tensor for every differentiated argument`);
    }
    // Leaves of our own: views of the inputs (no copy) that require grad, cut from any outer graph.
    const args = inputs.map((x, i) => (which.includes(i) ? requiresGrad(detach(x)) : x));
    try {
      return tidy(() => {
        const value = fn(...args);
        if (!(value instanceof Tensor) || value.size !== 1) {
          const got = value instanceof Tensor ? `a tensor of shape ${fmtShape(value.shape)}` : 'something other than a tensor';
          throw new SaddleError('grad', `the function returned ${got}; expected a one-element tensor (reduce it with sum or mean)`);
        }
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
 * `grad(fn)(...inputs)`: the gradients of `fn` (a one-element result) with respect to its inputs,
 * one tensor per input (or per entry of `argnums`), owned by the caller. See `valueAndGrad`.
 */
export function grad(fn: ScalarFn, argnums?: readonly number[]): (...inputs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(fn, argnums);
  return (...inputs) => {
    const { value, grads } = vg(...inputs);
    value.dispose();
    return grads;
  };
}
