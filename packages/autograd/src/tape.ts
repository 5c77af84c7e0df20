import { SaddleError, Tensor, fmtShape, isFloat, keep, processWide, type DType } from '@saddle/tensor';
import { isGradEnabled } from './grad-mode.js';

/**
 * The tape. Every differentiable op that runs while grad mode is on, with an input that requires
 * grad, creates one Node and hangs it on its output (`out.gradNode`). A node remembers:
 *
 * - `inputs`: for each differentiable input, where its gradient goes: the Node that produced it,
 *   the leaf Tensor itself (a tensor you marked with `requiresGrad`), or null (the input needs no
 *   gradient: a constant, a number, a tensor that does not require grad);
 * - `saved`: what the rule needs from the forward pass (inputs, the output, an argmax, a mask);
 * - `rule`: the gradient rule, which turns the gradient of the output into gradients of the inputs.
 *
 * There is no global list: the tape is the graph reachable from a tensor through `gradNode` and
 * `inputs`, so a graph nobody can reach is garbage like any other object.
 *
 * Ownership. The tape borrows what it saves: saved tensors are the op's own inputs and outputs,
 * which belong to the caller (or to the enclosing `tidy`). The tape owns no device memory; it never
 * disposes a saved tensor. It asks only that they stay alive until backward has run over the node
 * (backward says clearly which op's saved tensor was disposed if not). After backward, a node drops
 * its saved tensors and is marked `freed` (unless backward was asked to `retainGraph`).
 */

/** What a rule may have saved: tensors, and numbers (a scalar operand). */
export type Saved = Tensor | number | null | undefined;

/**
 * A gradient rule: given the gradient of the op's output (`grad`, the output's shape), the saved
 * values, and which inputs need a gradient, returns one gradient per input (the input's shape and
 * dtype), or null where `needs[i]` is false. Rules are built from ordinary ops; they run inside a
 * `tidy` with grad mode off, so they need not dispose their temporaries, and they may return `grad`
 * itself or a saved tensor (backward takes its own reference of whatever they return).
 */
export type Rule = (grad: Tensor, saved: readonly Saved[], needs: readonly boolean[]) => readonly (Tensor | null)[];

/** Where the gradient of one input goes. */
export type Edge = Node | Tensor | null;

let nextNodeId = 1;

class NodeImpl {
  readonly id = nextNodeId++;
  /** True once backward has run the rule and dropped the saved tensors. */
  freed = false;

  constructor(
    /** The op's name, for errors and `toString`. */
    readonly op: string,
    readonly inputs: readonly Edge[],
    public saved: readonly Saved[],
    readonly rule: Rule,
    /** The output's shape and dtype: what the gradient arriving here must have. */
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}

  /** Drops the saved tensors (the tape's references; the tensors belong to their owners). */
  free(): void {
    this.saved = [];
    this.freed = true;
  }

  toString(): string {
    return `${this.op} (node #${this.id}, output ${fmtShape(this.shape)})`;
  }
}

/**
 * The Node class, process-wide: with two copies of this package loaded (see `processWide`), both
 * use the first copy's class, so either copy's backward recognises the other's nodes.
 */
export const Node: typeof NodeImpl = processWide('@saddle/autograd Node', 1, () => NodeImpl);
export type Node = NodeImpl;

/** The edge for one op input: its node, itself if it is a leaf, null if it needs no gradient. */
function edgeOf(x: unknown): Edge {
  if (!(x instanceof Tensor) || !x.requiresGrad) return null;
  return (x.gradNode as Node | null) ?? x;
}

/** Whether an op on `inputs` would be recorded: grad mode is on and one of them requires grad. */
export function shouldRecord(...inputs: readonly unknown[]): boolean {
  if (!isGradEnabled()) return false;
  for (const x of inputs) if (x instanceof Tensor && x.requiresGrad) return true;
  return false;
}

/**
 * Records `out = op(inputs)` onto the tape and returns `out`, if grad mode is on and one of
 * `inputs` requires grad; otherwise returns `out` untouched (no node, no saved references).
 * `inputs` lists the op's differentiable operands in the order the rule returns their gradients.
 */
export function record(op: string, out: Tensor, inputs: readonly unknown[], saved: readonly Saved[], rule: Rule): Tensor {
  if (!isGradEnabled()) return out;
  const edges = inputs.map(edgeOf);
  if (edges.every((e) => e === null)) return out;
  if (inputs.includes(out)) {
    // A node on its own input would make a cycle; every op returns a new tensor (a view at least).
    throw new SaddleError(op, `record: the op returned one of its inputs (tensor #${out.id}); expected a new tensor`);
  }
  out.requiresGrad = true;
  out.gradNode = new Node(op, edges, saved, rule, out.shape, out.dtype);
  return out;
}

/** The node that produced `t` (null for a leaf or a tensor made outside the tape). */
export function nodeOf(t: Tensor): Node | null {
  return (t.gradNode as Node | null) ?? null;
}

/** A leaf: a tensor that requires grad and was not produced by a recorded op. Its `.grad` is filled by backward. */
export function isLeaf(t: Tensor): boolean {
  return t.requiresGrad && t.gradNode === null;
}

/**
 * Marks `t` as a leaf whose gradient backward computes (or, with `flag = false`, stops that).
 * Only floating-point tensors can require grad. Returns `t`.
 */
export function requiresGrad(t: Tensor, flag = true): Tensor {
  t.assertAlive('requiresGrad');
  if (flag && !isFloat(t.dtype)) {
    throw new SaddleError('requiresGrad', `tensor #${t.id} ${fmtShape(t.shape)} has dtype ${t.dtype}; expected f32 or f64 (only floats have gradients)`);
  }
  if (t.gradNode !== null) {
    throw new SaddleError(
      'requiresGrad',
      `tensor #${t.id} ${fmtShape(t.shape)} was produced by ${String(t.gradNode)}; only leaves can be marked (use detach(t) for a leaf copy of it)`,
    );
  }
  t.requiresGrad = flag;
  return t;
}

/**
 * A trainable parameter: marks `t` as requiring grad and `keep()`s it, so no enclosing `tidy`
 * disposes it (like `tf.variable`). Dispose it yourself when the model is done; that disposes its `.grad` too.
 */
export function param(t: Tensor): Tensor {
  return keep(requiresGrad(t));
}

/**
 * A tensor that shares `t`'s data but is cut from the tape: it does not require grad, so gradients
 * stop here. No copy is made (it is a view); dispose it like any tensor.
 */
export function detach(t: Tensor): Tensor {
  t.assertAlive('detach');
  return t.view(t.shape, t.strides, t.offset);
}

/** Disposes the `.grad` of each tensor and sets it to null (before the next accumulation). */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) {
    t.grad?.dispose();
    t.grad = null;
  }
}

/**
 * A new handle on `t`'s memory (a view, no copy) that stays on the tape: if `t` requires grad and
 * grad mode is on, the gradient flows through it to `t` unchanged. Used where a gradient must get
 * an owner of its own without being cut from the graph (backward with createGraph, nested grad).
 */
export function alias(t: Tensor): Tensor {
  const v = t.view(t.shape, t.strides, t.offset);
  return record('alias', v, [t], [], passThrough);
}

const passThrough: Rule = (g) => [g];
