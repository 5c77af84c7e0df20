// Every wasm kernel, compiled into one module (build/kernels.wasm) by scripts/build-wasm.mjs.
// Each lives in <op>/<op>.ts, mirroring packages/ops/src/<op>/; see ../README.md for the
// contract an exported kernel follows.
export * from './elementwise/elementwise';
export * from './shape/shape';
export * from './reduce/reduce';
export * from './random/random';
export * from './dropout/dropout';
export * from './maxout/maxout';
export * from './matmul/matmul';
export * from './probe/peak';
export * from './probe/copy';
export * from './ladder/ladder';
export * from './bce/bce';
export * from './optim/optim';
export * from './optim/adam';
export * from './optim/ema';
export * from './parametric/parametric';
export * from './softmax/softmax';
export * from './cross-entropy/cross-entropy';
export * from './where/where';
export * from './gather/gather';
export * from './bmm/bmm';
export { KERNELS_RELAXED_SIMD } from './shared/fma';
export * from './cast/cast';
export * from './pool/pool';
export * from './conv/conv';

/** First byte past the module's static data: the JS allocator hands out memory from here up. */
export function heapBase(): usize {
  return __heap_base;
}
