import { fromArray, type Shape, type Tensor } from '@saddle/tensor';
import type { AvgPool2dOptions, MaxPool2dOptions } from '@saddle/ops';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/**
 * maxPool2d: each output is one input (the window's first maximum), so its gradient goes there;
 * overlapping windows that pick the same input add up. `maxPool2dBackward` gathers it per input in
 * one kernel. `saved` is [indices], the i32 positions the forward op returned next to its values.
 * (Unlike `max`, ties are not shared: the first maximum takes it all, as PyTorch's max pooling.)
 */
export function maxPool2dRule(inputShape: Shape, opts: MaxPool2dOptions): Rule {
  return (g, saved) => [k.maxPool2dBackward(g, saved[0] as Tensor, inputShape, opts)];
}

/**
 * maxPool2dBackward(dy, indices) is linear in dy: dx = Sᵀ dy for the 0/1 matrix S that picks
 * input indices[o] for output o. Its gradient is S G: each output gathers the incoming gradient G
 * [N, C, H, W] at its index. That is `gather` on G flattened, at index (n * C + c) * H * W +
 * indices[n, c, oh, ow]; an index of -1 (a window of padding only) gathers 0. `saved` is [indices].
 */
export function maxPool2dBackwardRule(inputShape: Shape): Rule {
  return (g, saved) => {
    const indices = saved[0] as Tensor;
    const [n, c, h, w] = inputShape as [number, number, number, number];
    const planeStart = fromArray(
      Array.from({ length: n * c }, (_, p) => p * h * w),
      [n, c, 1, 1],
      { dtype: 'i32', device: indices.device },
    );
    const at = k.reshape(k.add(k.maximum(indices, 0), planeStart), [indices.size]);
    const picked = k.reshape(k.gather(k.reshape(g, [g.size]), at, 0), indices.shape);
    const real = k.cast(k.greaterEqual(indices, 0), g.dtype);
    return [k.mul(picked, real)];
  };
}

/** avgPool2d is linear, x -> A x; its gradient is Aᵀ g, `avgPool2dBackward` (each input gets g / divisor from every window that holds it). */
export function avgPool2dRule(inputShape: Shape, opts: AvgPool2dOptions): Rule {
  return (g) => [k.avgPool2dBackward(g, inputShape, opts)];
}

/** avgPool2dBackward is Aᵀ, so its gradient is A again: avgPool2d with the same options. */
export function avgPool2dBackwardRule(opts: AvgPool2dOptions): Rule {
  return (g) => [k.avgPool2d(g, opts)];
}
