// Every kernel's WGSL generator, for reading and teaching (the demo's kernel reader shows them):
// `import { wgslSources } from '@saddle/ops'; wgslSources.reduceWgsl({ kind: 'sum', type: 'f32' })`.
export * from './bce/bce.wgsl.js';
export * from './bmm/bmm.wgsl.js';
export * from './conv/conv.wgsl.js';
export * from './conv/col2im.wgsl.js';
export * from './cross-entropy/cross-entropy.wgsl.js';
export * from './dropout/dropout.wgsl.js';
export * from './elementwise/elementwise.wgsl.js';
export * from './gather/gather.wgsl.js';
export * from './matmul/matmul.wgsl.js';
export * from './matmul/split-k.wgsl.js';
export * from './maxout/maxout.wgsl.js';
export * from './maxout/maxout-dropout.wgsl.js';
export * from './optim/optim.wgsl.js';
export * from './parametric/parametric.wgsl.js';
export * from './pool/pool.wgsl.js';
export * from './random/random.wgsl.js';
export * from './reduce/reduce.wgsl.js';
export * from './shape/shape.wgsl.js';
export * from './softmax/softmax.wgsl.js';
export * from './where/where.wgsl.js';
