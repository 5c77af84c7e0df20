import { SaddleError } from './errors.js';

/** What scopes need of a tensor (kept abstract so this module does not import Tensor). */
export interface Scoped {
  readonly id: number;
  readonly isDisposed: boolean;
  dispose(): void;
}

const stack: Set<Scoped>[] = [];

/** Called by every tensor at creation: the innermost open scope takes it. */
export function track(t: Scoped): void {
  stack[stack.length - 1]?.add(t);
}

/** Removes `t` from every open scope, so no scope disposes it. Returns `t`. */
export function keep<T extends Scoped>(t: T): T {
  for (const s of stack) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Scoped>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isScoped(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, seen);
}

function isScoped(v: object): v is Scoped {
  return typeof (v as Scoped).dispose === 'function' && typeof (v as Scoped).id === 'number' && 'isDisposed' in v;
}

/**
 * Runs `fn` and disposes every tensor created inside it except those it returns (in an array or
 * plain object too) and those passed to `keep()`. Returned tensors move to the enclosing scope.
 * `fn` must be synchronous: an async function would let other code's tensors into the scope.
 * If `fn` throws, every tensor it made (except those passed to `keep()`) is disposed and the error
 * is rethrown.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Scoped>();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    // fn threw: nothing it made can be returned, so free it all (tensors passed to keep() left the
    // scope already), then rethrow.
    stack.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw e;
  }
  stack.pop();
  if (result instanceof Promise) {
    throw new SaddleError('tidy', 'the function returned a Promise; expected a synchronous function');
  }
  const survivors = new Set<Scoped>();
  collect(result, survivors);
  for (const t of scope) {
    if (survivors.has(t)) track(t);
    else if (!t.isDisposed) t.dispose();
  }
  return result;
}

/** Number of scopes open now (for tests and diagnostics). */
export function scopeDepth(): number {
  return stack.length;
}
