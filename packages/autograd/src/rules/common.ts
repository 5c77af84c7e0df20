/**
 * What the gradient rules share: the op namespace they are written in (`k`), and the helpers for
 * broadcasting and reductions.
 */
import { normalizeAxes, shapesEqual, type Shape, type Tensor } from '@saddle/tensor';
import * as kernels from '@saddle/ops';
import { RECORDING_OPS, type RecordedOpName } from '../op-list.js';
/**
 * The op namespace the gradient rules are written in: every op of @saddle/ops, with each
 * differentiable one replaced by its recording wrapper from ../ops.ts.
 *
 * Why: backward runs the rules with grad mode off, so on the ordinary path a wrapper costs one
 * check and the rules dispatch exactly the kernels they always did. `backward({ createGraph: true })`
 * runs them with grad mode on: then the same calls record onto the tape, and the gradients they
 * produce can be differentiated again (gradients of gradients, Hessian-vector products, gradient
 * penalties). A rule that called a kernel that does not record would silently cut that second
 * graph; `gradgradcheck` (run over every op in the gradient suite) is what catches it.
 *
 * The namespace is an object, `k`, filled with the kernels at load and given the recording wrappers
 * of the op list's `recorded` ops (../op-list.ts) by ../index.ts when it loads (installRecordingOps):
 * the rules look the op up when they run, so this module imports nothing of ops.ts and the package
 * has no import cycle.
 */

/**
 * Every op of @saddle/ops, and slice's gradient `unslice` (an op of autograd's own); the
 * differentiable ones are the recording wrappers once ops.ts has loaded.
 */
export type Ops = typeof kernels & { unslice(x: Tensor, shape: Shape, begin: readonly number[], steps?: readonly number[]): Tensor };

/** The ops the rules call: `k.mul(a, b)` records when grad mode is on. */
export const k: Ops = {
  ...kernels,
  unslice: () => {
    throw new Error('unslice: @saddle/autograd/ops has not installed its ops (import @saddle/autograd, not its rules alone)');
  },
};

/**
 * Called once by index.ts with ops.ts's exports: the rules' namespace takes the recording wrapper of
 * every `recorded` op of the op list (op-list.ts). The parameter's type asks for each of them with
 * its kernel's type: a recorded op that @saddle/ops lacks, or a wrapper ops.ts lacks, fails to compile.
 */
export function installRecordingOps(ops: { readonly [K in RecordedOpName]: Ops[K] }): void {
  for (const name of RECORDING_OPS) (k as Record<string, unknown>)[name] = ops[name];
}

/**
 * The gradient of broadcasting. An input of `shape` that an op stretched to the gradient's shape
 * was read once per copy, so its gradient sums over the copies: `k.sumTo(g, shape)`. Nothing to do
 * when the shapes already agree.
 */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  return shapesEqual(g.shape, shape) ? g : k.sumTo(g, shape);
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
  return k.broadcastTo(k.reshape(g, kept), shape);
}
