import { SaddleError, Tensor, fmtShape, gradHooks, keep, ones, shapesEqual, tidy } from '@saddle/tensor';
import { add, dense } from './ops.js';
import { enableGrad, noGrad } from './grad-mode.js';
import { Node, alias, type Edge } from './tape.js';

/** Options of `backward`: keep the graph, record the gradients for a second derivative. */
export interface BackwardOptions {
  /** Keep the graph (its nodes and saved tensors) so backward can run through it again. Default: `createGraph`. */
  retainGraph?: boolean;
  /**
   * Record the backward pass itself onto the tape: the gradients it produces (`.grad`, or those
   * `runBackward` returns) require grad and can be differentiated again. The rules then run with
   * grad mode on and nothing backward computes is disposed by it: the new graph's tensors belong
   * to the enclosing `tidy`, like a forward pass's. Off by default (then no rule records anything).
   */
  createGraph?: boolean;
}

/**
 * `loss.backward()`: backpropagates from `root` (a one-element tensor, or any tensor with a `seed`
 * of its shape: the gradient of some scalar with respect to `root`) and adds the gradient of every
 * leaf it reaches to the leaf's `.grad`.
 *
 * 1. Order. A depth-first walk from root's node lists the nodes in post-order (every node after
 *    the nodes of its inputs); reversed, that is a topological order from the output back to the
 *    leaves, so a node runs only once every path through it has delivered its gradient.
 * 2. Run. Each node's rule turns its gradient into its inputs' gradients; an input's gradient is
 *    added to what its node has collected so far (a tensor used twice gets both contributions), or
 *    to the leaf's `.grad`. A node's gradient is disposed as soon as its rule has used it.
 * 3. Free. Each node drops its saved tensors and is marked freed, unless `retainGraph`; a later
 *    backward that reaches a freed node throws before doing anything.
 *
 * The gradients that end up in `.grad` are `keep()`-ed (they survive an enclosing `tidy`) and
 * belong to the leaf: disposing the leaf, `zeroGrad`, or the next accumulation disposes them.
 */
export function backward(root: Tensor, seed?: Tensor, options: BackwardOptions = {}): void {
  const createGraph = options.createGraph ?? false;
  runBackward(root, seed, options.retainGraph ?? createGraph, null, createGraph);
}

/**
 * The engine behind `backward` and `grad(fn)`, public for callers that need gradients of several
 * losses from one forward pass (a GAN's simultaneous update). With `wanted` null, leaf gradients
 * accumulate into `.grad` (and the map returned is empty). With a list of tensors, only the paths
 * to them run, and their gradients come back in the map instead (dense; tensors no gradient
 * reaches are absent); no `.grad` anywhere is touched. A wanted tensor may be a leaf or any tensor
 * on the tape (then the gradient arriving at its node is returned, and nothing flows past it
 * unless another wanted tensor lies beyond). The returned tensors belong to the caller (they are
 * tracked by the enclosing `tidy`, like any new tensor). `createGraph`: see BackwardOptions.
 */
export function runBackward(
  root: Tensor,
  seed: Tensor | undefined,
  retainGraph: boolean,
  wanted: readonly Tensor[] | null,
  createGraph = false,
): Map<Tensor, Tensor> {
  root.assertAlive('backward');
  if (!root.requiresGrad) {
    throw new SaddleError(
      'backward',
      `tensor #${root.id} ${fmtShape(root.shape)} does not require grad: no input of the ops that made it requires grad ` +
        '(mark leaves with param(t) or requiresGrad(t)), it was computed under noGrad, or it was detached',
    );
  }
  const rootNode = root.gradNode as Node | null;
  const order = rootNode ? topologicalOrder(rootNode) : [];
  checkRunnable(order);
  const seedGrad = makeSeed(root, seed);
  const collected = new Map<Tensor, Tensor>();
  const wantedSet = wanted ? new Set(wanted) : null;
  const sink = (leaf: Tensor, g: Tensor) => (wantedSet ? accumulateInto(collected, leaf, g) : accumulateLeaf(leaf, g));
  // Wanted tensors that are not leaves, by the node that produced them.
  const wantedNodes = new Map<Node, Tensor>();
  for (const t of wanted ?? []) if (t.gradNode) wantedNodes.set(t.gradNode as Node, t);

  if (rootNode === null) {
    // The root is itself a leaf: its gradient is the seed.
    if (!wantedSet || wantedSet.has(root)) sink(root, seedGrad);
    else seedGrad.dispose();
    return collected;
  }

  const leads = wantedSet ? leadsTo(order, wantedSet, wantedNodes) : null;
  const needed = (e: Edge): boolean => {
    if (e === null) return false;
    if (!wantedSet) return true;
    return e instanceof Node ? leads!.get(e)! : wantedSet.has(e);
  };

  const pending = new Map<Node, Tensor>([[rootNode, seedGrad]]);
  try {
    // With createGraph the rules record (grad mode on) and `g` may be saved by the new graph, so
    // backward disposes none of it: the enclosing tidy does.
    (createGraph ? enableGrad : noGrad)(() => {
      for (const node of order) {
        const g = pending.get(node);
        pending.delete(node);
        const target = wantedNodes.get(node);
        if (g && target) accumulateInto(collected, target, alias(g));
        const needs = node.inputs.map(needed);
        if (g && needs.some(Boolean)) {
          const grads = createGraph ? runRuleRecording(node, g, needs) : runRule(node, g, needs);
          node.inputs.forEach((edge, i) => {
            const gi = grads[i];
            if (!gi) return;
            if (edge instanceof Node) pending.set(edge, sum(pending.get(edge), gi));
            else sink(edge as Tensor, gi);
          });
        }
        if (!createGraph) g?.dispose();
        if (!retainGraph) node.free();
      }
    });
  } finally {
    // Only reached with entries left if a rule threw: give their memory back.
    for (const g of pending.values()) g.dispose();
  }
  return collected;
}

/** The seed as a tensor backward owns (a view of the caller's seed, so the caller keeps theirs). */
function makeSeed(root: Tensor, seed: Tensor | undefined): Tensor {
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new SaddleError(
        'backward',
        `backward() without a seed needs a one-element tensor (a loss); tensor #${root.id} has shape ${fmtShape(root.shape)}. ` +
          'Reduce it to a scalar (sum, mean) or pass a seed of its shape: backward(seed)',
      );
    }
    return ones(root.shape, { dtype: root.dtype, device: root.device });
  }
  seed.assertAlive('backward');
  if (!shapesEqual(seed.shape, root.shape) || seed.device !== root.device || seed.dtype !== root.dtype) {
    throw new SaddleError(
      'backward',
      `the seed is ${fmtShape(seed.shape)} ${seed.dtype} on ${seed.device.name}; expected the shape, dtype and device of the ` +
        `tensor it seeds: ${fmtShape(root.shape)} ${root.dtype} on ${root.device.name}`,
    );
  }
  return seed.view(seed.shape, seed.strides, seed.offset);
}

/** Nodes reachable from `root`, each after every node that consumes it (root first). */
function topologicalOrder(root: Node): Node[] {
  const postOrder: Node[] = [];
  const visited = new Set<Node>([root]);
  // An explicit stack instead of recursion: a long chain of ops must not overflow the JS stack.
  const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.inputs.length) {
      const input = top.node.inputs[top.next++];
      if (input instanceof Node && !visited.has(input)) {
        visited.add(input);
        stack.push({ node: input, next: 0 });
      }
    } else {
      stack.pop();
      postOrder.push(top.node);
    }
  }
  return postOrder.reverse();
}

/** Throws, before any rule runs, if the graph was freed or a saved tensor was disposed. */
function checkRunnable(order: readonly Node[]): void {
  for (const node of order) {
    if (node.freed) {
      throw new SaddleError(
        'backward',
        `the graph was freed: ${node} already ran its backward and released what it saved. ` +
          'To backpropagate through a graph twice, pass { retainGraph: true } to every backward but the last',
      );
    }
    for (const s of node.saved) {
      if (s instanceof Tensor && s.isDisposed) {
        throw new SaddleError(
          'backward',
          `tensor #${s.id} ${fmtShape(s.shape)}, saved by ${node} for its gradient, was disposed before backward. ` +
            "Keep the forward pass's tensors alive until backward has run: call backward inside the same tidy as the forward, or use grad(fn)",
        );
      }
    }
  }
}

/** For each node (in topological order), whether it is wanted or a path from it reaches a wanted tensor. */
function leadsTo(order: readonly Node[], wanted: ReadonlySet<Tensor>, wantedNodes: ReadonlyMap<Node, Tensor>): Map<Node, boolean> {
  const leads = new Map<Node, boolean>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    leads.set(node, wantedNodes.has(node) || node.inputs.some((e) => (e instanceof Node ? leads.get(e)! : e !== null && wanted.has(e))));
  }
  return leads;
}

/**
 * Runs one rule inside a tidy and returns backward's own references to its results: each result
 * becomes a view (a new handle on the same memory), so a rule may return `g` or a saved tensor, or
 * the same tensor twice, and every gradient backward holds has exactly one owner. The rule's
 * temporaries, and its results' original handles, are disposed by the tidy.
 */
function runRule(node: Node, g: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
  return tidy(() => {
    const grads = node.rule(g, node.saved, needs);
    if (grads.length !== node.inputs.length) {
      throw new SaddleError('backward', `the rule of ${node} returned ${grads.length} gradients for ${node.inputs.length} inputs`);
    }
    return grads.map((gi, i) => {
      if (!gi || !needs[i]) return null;
      checkGradient(node, i, gi);
      return gi.view(gi.shape, gi.strides, gi.offset);
    });
  });
}

/**
 * runRule for createGraph: no tidy (the rule's temporaries are saved by the nodes it records and
 * must live until the new graph's own backward), and each result is an `alias` (a new handle that
 * stays on the tape) so that, as in runRule, every gradient backward holds has one owner.
 */
function runRuleRecording(node: Node, g: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
  const grads = node.rule(g, node.saved, needs);
  if (grads.length !== node.inputs.length) {
    throw new SaddleError('backward', `the rule of ${node} returned ${grads.length} gradients for ${node.inputs.length} inputs`);
  }
  return grads.map((gi, i) => (gi && needs[i] ? alias(checkGradient(node, i, gi)) : null));
}

function checkGradient(node: Node, i: number, gi: Tensor): Tensor {
  const input = node.inputs[i]!;
  if (!shapesEqual(gi.shape, input.shape) || gi.dtype !== input.dtype) {
    throw new SaddleError(
      'backward',
      `the rule of ${node} returned a gradient of ${fmtShape(gi.shape)} ${gi.dtype} for input ${i}, which is ${fmtShape(input.shape)} ${input.dtype}`,
    );
  }
  return gi;
}

/** a + b, disposing both (a may be missing: then b itself). */
function sum(a: Tensor | undefined, b: Tensor): Tensor {
  if (!a) return b;
  const s = add(a, b);
  a.dispose();
  b.dispose();
  return s;
}

/** `g` as a dense tensor, taking ownership of `g` (disposed when a dense copy replaces it). */
function ownedDense(g: Tensor): Tensor {
  const d = dense(g);
  if (d !== g) g.dispose();
  return d;
}

/** Adds `g` to `leaf.grad` (taking ownership of `g`); the result is dense and kept out of every tidy. */
function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (leaf.isDisposed) {
    // Nobody can read this gradient any more.
    g.dispose();
    return;
  }
  let grad = ownedDense(g);
  if (leaf.grad && !leaf.grad.isDisposed) grad = sum(leaf.grad, grad);
  leaf.grad = keep(grad);
}

function accumulateInto(map: Map<Tensor, Tensor>, leaf: Tensor, g: Tensor): void {
  map.set(leaf, sum(map.get(leaf), ownedDense(g)));
}

gradHooks.backward = backward;
