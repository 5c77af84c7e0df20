import { contiguousStrides, normalizeAxes, sizeOf, type Shape, type Tensor } from '@saddle/tensor';
import { k, expandBack } from './common.js';
import type { Rule } from '../tape.js';

type Axes = number | readonly number[] | undefined;

/** sum: every input element contributed once, so each gets the output's gradient, copied back. */
export function sumRule(shape: Shape, axes: Axes): Rule {
  return (g) => [k.contiguous(expandBack(g, shape, axes))];
}

/** mean: as sum, divided by the number of elements averaged. */
export function meanRule(shape: Shape, axes: Axes): Rule {
  const n = sizeOf(normalizeAxes('mean', axes, shape.length).map((a) => shape[a]!));
  return (g) => [k.mul(expandBack(g, shape, axes), 1 / n)];
}

/**
 * max: the gradient goes to the elements that attain the maximum. Ties share it evenly (each of
 * c tied elements gets g / c), the midpoint of the one-sided slopes, as central differences see
 * it. `saved` is [x, y].
 */
export function maxRule(shape: Shape, axes: Axes): Rule {
  return (g, saved) => {
    const [x, y] = saved as [Tensor, Tensor];
    const isMax = k.equal(x, expandBack(y, shape, axes));
    const ties = k.sum(isMax, normalizeAxes('max', axes, shape.length), true);
    return [k.mul(isMax, expandBack(k.div(g, reshapeLike(ties, y)), shape, axes))];
  };
}

/** sumTo: the gradient of a sum over broadcast dims is the gradient broadcast back. */
export function sumToRule(shape: Shape, target: Shape): Rule {
  return (g) => {
    // g has `target`'s shape; align it on the right with `shape` and stretch its size-1 dims.
    const lead = shape.length - target.length;
    const axes = shape.map((_, i) => i).filter((i) => i < lead || (target[i - lead] === 1 && shape[i] !== 1));
    return [k.contiguous(expandBack(g, shape, axes))];
  };
}

/** `t` (dense) viewed with the shape of `like` (same size). */
function reshapeLike(t: Tensor, like: Tensor): Tensor {
  return t.view(like.shape, contiguousStrides(like.shape), 0);
}
