import type { Tensor } from '@saddle/tensor';
import { BINARY_OPS, UNARY_OPS, type BinaryOpName, type UnaryOpName } from './ops-table.js';

/** The public name of each unary kernel: its key in UNARY_OPS, but for `copy`, which is `contiguous`. */
export type UnaryAliasName = Exclude<UnaryOpName, 'copy'> | 'contiguous';

/**
 * The named elementwise ops, one function for each op of the kernel tables (UNARY_OPS, BINARY_OPS):
 * `neg(x)` is `unary('neg', x)`, `add(a, b)` is `binary('add', a, b)`, `contiguous(x)` is `unary('copy', x)`.
 */
export type NamedElementwiseOps = { readonly [K in UnaryAliasName]: (x: Tensor) => Tensor } & {
  readonly [K in BinaryOpName]: (a: Tensor | number, b: Tensor | number) => Tensor;
};

/**
 * The named elementwise ops over an implementation of `unary` and `binary`: the kernels in
 * @saddle/ops, the recording wrappers in @saddle/autograd. Both export them by name, each with its
 * doc comment; an op added to the kernel tables (ops-table.ts) is in the result at once, and a
 * package that does not export it fails to compile (autograd's op-list.ts checks both).
 */
export function namedElementwiseOps(
  unary: (name: UnaryOpName, x: Tensor) => Tensor,
  binary: (name: BinaryOpName, a: Tensor | number, b: Tensor | number) => Tensor,
): NamedElementwiseOps {
  const named: Record<string, unknown> = {};
  for (const name of Object.keys(UNARY_OPS) as UnaryOpName[]) {
    const alias = name === 'copy' ? 'contiguous' : name;
    named[alias] = { [alias]: (x: Tensor) => unary(name, x) }[alias];
  }
  for (const name of Object.keys(BINARY_OPS) as BinaryOpName[]) {
    named[name] = { [name]: (a: Tensor | number, b: Tensor | number) => binary(name, a, b) }[name];
  }
  return named as unknown as NamedElementwiseOps;
}
