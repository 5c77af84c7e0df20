import type { Shape } from '@saddle/tensor';
import { k, unbroadcast } from './common.js';
import type { Rule } from '../tape.js';

/**
 * Shape ops move elements around without changing them, so each rule moves the gradient back:
 * reshape it to the input's shape, apply the inverse permutation, put a slice back in its place
 * in a block of zeros, cut a concatenation into its pieces, sum a broadcast away.
 */

/** reshape, expandDims and squeeze: the gradient is g with the input's shape. */
export function reshapeRule(inputShape: Shape): Rule {
  return (g) => [k.reshape(g, inputShape)];
}

/** transpose by `perm`: transposing back by the inverse permutation (the default reverses, its own inverse). */
export function transposeRule(perm: readonly number[] | undefined, rank: number): Rule {
  if (perm === undefined) return (g) => [k.transpose(g)];
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p < 0 ? p + rank : p] = i));
  return (g) => [k.transpose(g, inverse)];
}

/** slice: zeros of the input's shape with g written into the sliced block (`unslice`). */
export function sliceRule(inputShape: Shape, begin: readonly number[], steps?: readonly number[]): Rule {
  return (g) => [k.unslice(g, inputShape, begin, steps)];
}

/** unslice (the gradient of slice, as an op): its own gradient is the block sliced back out. */
export function unsliceRule(begin: readonly number[], size: Shape, steps?: readonly number[]): Rule {
  return (g) => [k.slice(g, begin, size, steps)];
}

/** concat along `axis`: input i's gradient is its block of g (a view: nothing copied). */
export function concatRule(shapes: readonly Shape[], axis: number): Rule {
  const rank = shapes[0]!.length;
  const a = axis < 0 ? axis + rank : axis;
  return (g, _saved, needs) => {
    let start = 0;
    return shapes.map((s, i) => {
      const begin = s.map((_, d) => (d === a ? start : 0));
      start += s[a]!;
      return needs[i] ? k.slice(g, begin, s) : null;
    });
  };
}

/** broadcastTo: summing the copies back to the input's shape. */
export function broadcastToRule(inputShape: Shape): Rule {
  return (g) => [unbroadcast(g, inputShape)];
}
