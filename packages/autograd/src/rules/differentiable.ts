/**
 * The op namespace the gradient rules are written in: every op of @saddle/kernels-wgsl, with each
 * differentiable one replaced by its recording wrapper from ../ops.ts.
 *
 * Why: backward runs the rules with grad mode off, so on the ordinary path a wrapper costs one
 * check and the rules dispatch exactly the kernels they always did. `backward({ createGraph: true })`
 * runs them with grad mode on: then the same calls record onto the tape, and the gradients they
 * produce can be differentiated again (gradients of gradients, Hessian-vector products, gradient
 * penalties). A rule that called a kernel that does not record would silently cut that second
 * graph; `gradgradcheck` (run over every op in the gradient suite) is what catches it.
 *
 * Explicit re-exports take precedence over `export *`, so the names below are the recording ones.
 */
export * from '@saddle/kernels-wgsl';
export {
  unary,
  binary,
  neg,
  abs,
  sign,
  square,
  exp,
  log,
  sqrt,
  reciprocal,
  relu,
  step,
  sigmoid,
  tanh,
  softplus,
  log1p,
  expm1,
  logSigmoid,
  contiguous,
  dense,
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  pow,
  matmul,
  sum,
  mean,
  max,
  sumTo,
  maxout,
  maxoutDropout,
  maxoutBackward,
  dropout,
  sigmoidBce,
  sigmoidBceGrad,
  reshape,
  transpose,
  slice,
  concat,
  broadcastTo,
  expandDims,
  squeeze,
  unslice,
  softmax,
  logSoftmax,
  crossEntropy,
  crossEntropyGrad,
  clamp,
  leakyRelu,
  where,
  gather,
  scatterAdd,
  bmm,
} from '../ops.js';
