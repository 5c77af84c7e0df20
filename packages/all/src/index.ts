/**
 * The whole saddle library in one package and one import: the tensors, the ops and automatic
 * differentiation of `@saddle/autograd` (which re-exports `@saddle/tensor` and
 * `@saddle/ops`), and the layers, optimizers and checkpoints of `@saddle/nn`.
 *
 *   import { useDevice, tensor, param, matmul, mlp, SGD } from '@saddle/all';
 *
 * @module @saddle/all
 */
export * from '@saddle/autograd';
export * from '@saddle/nn';
