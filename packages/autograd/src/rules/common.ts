import { normalizeAxes, shapesEqual, type Shape, type Tensor } from '@saddle/tensor';
import { broadcastTo, reshape, sumTo } from './differentiable.js';

/**
 * The gradient of broadcasting. An input of `shape` that an op stretched to the gradient's shape
 * was read once per copy, so its gradient sums over the copies: `sumTo(g, shape)`. Nothing to do
 * when the shapes already agree.
 */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  return shapesEqual(g.shape, shape) ? g : sumTo(g, shape);
}

/**
 * The opposite: the gradient of a reduction over `axes` of an input of `shape` is the output's
 * gradient copied back along the reduced axes. Returned as a broadcast view (stride 0 along those
 * axes, no copy): the next op reads through it. `g` has the reduction's output shape, with or
 * without the kept size-1 dims.
 */
export function expandBack(g: Tensor, shape: Shape, axes: number | readonly number[] | undefined): Tensor {
  const reduced = new Set(normalizeAxes('expandBack', axes, shape.length));
  const kept = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  return broadcastTo(reshape(g, kept), shape);
}
