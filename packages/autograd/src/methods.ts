/**
 * Tensor methods, the chained style of PyTorch and tfjs: `x.matmul(w).add(b).relu().sum()`.
 *
 * `x.op(...rest)` is `op(x, ...rest)` for every op of ./ops.ts whose first parameter takes a tensor:
 * the same function, so a method records onto the tape exactly as the function does. The methods
 * are generated from that one op list, twice:
 *
 * - the types: `TensorMethods` is a mapped type over `typeof ops` (each op with its first parameter
 *   dropped), merged into @saddle/tensor's `Tensor` by module augmentation below;
 * - the code: `installTensorMethods` puts every export of ./ops.ts on `Tensor.prototype`, except the
 *   `no method` ones of the op list (op-list.ts: `NOT_METHODS`), which the compiler checks is
 *   exactly the set of exports that take no tensor first. An op added to ops.ts (and to the op
 *   list, or neither compiles) is a method at once; a non-tensor export not marked `no method`, or
 *   a tensor op marked so, fails to compile.
 *
 * The tensor package sits below autograd and knows no ops, so it is this package that installs them
 * (like tfjs's chained ops), when @saddle/autograd is imported (index.ts), beside the backward engine.
 */
import { SaddleError, Tensor } from '@saddle/tensor';
import * as opsModule from './ops.js';
import { NOT_METHODS, type NotMethodName } from './op-list.js';

/** The values ops.ts exports, as a plain object (a module namespace would carry its type exports too). */
const ops = { ...opsModule };
type Ops = typeof ops;

/** The ops that are methods: every export of ops.ts but NOT_METHODS. */
export type MethodName = Exclude<keyof Ops, NotMethodName>;

/** An op as a method: its first parameter becomes `this`. */
type Method<F> = F extends (self: infer _Self, ...rest: infer R) => infer T ? (...rest: R) => T : never;

/** Every op as a method of `Tensor`: `x.add(y)` is `add(x, y)`, `x.sum(0)` is `sum(x, 0)`. */
export type TensorMethods = { [K in MethodName]: Method<Ops[K]> };

declare module '@saddle/tensor' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends TensorMethods {}
}

// The compiler's two checks (kept out of TensorMethods, which Tensor's own type depends on): every
// method takes a tensor first, and every export that takes a tensor first is a method.
type TakesTensor<F> = F extends (self: Tensor, ...rest: never[]) => unknown ? (Parameters<F>['length'] extends 0 ? false : true) : false;
type NotTensorFirst = { [K in MethodName]: TakesTensor<Ops[K]> extends true ? never : K }[MethodName];
type TensorFirstButListed = { [K in NotMethodName]: TakesTensor<Ops[K]> extends true ? K : never }[NotMethodName];
const everyMethodTakesATensor: [NotTensorFirst] extends [never] ? true : { notTensorFirst: NotTensorFirst } = true;
const noTensorOpIsLeftOut: [TensorFirstButListed] extends [never] ? true : { tensorFirstButListed: TensorFirstButListed } = true;
void everyMethodTakesATensor;
void noTensorOpIsLeftOut;

/** The names `installTensorMethods` puts on `Tensor.prototype`, sorted. */
export const TENSOR_METHOD_NAMES: readonly MethodName[] = Object.keys(ops)
  .filter((name) => !(NOT_METHODS as readonly string[]).includes(name))
  .sort() as MethodName[];

const INSTALLED = Symbol.for('@saddle/autograd:tensor-methods');

/** Installs every op as a `Tensor.prototype` method (idempotent; run when @saddle/autograd loads). */
export function installTensorMethods(): void {
  const proto = Tensor.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[INSTALLED]) return;
  const table = ops as unknown as Record<string, (self: Tensor, ...rest: unknown[]) => unknown>;
  for (const name of TENSOR_METHOD_NAMES) {
    if (name in proto)
      throw new SaddleError('installTensorMethods', `Tensor already has a member '${name}'; expected op names and Tensor's own members to differ`);
    const op = table[name]!;
    Object.defineProperty(proto, name, {
      value: {
        [name](this: Tensor, ...rest: unknown[]) {
          return op(this, ...rest);
        },
      }[name],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  Object.defineProperty(proto, INSTALLED, { value: true });
}
