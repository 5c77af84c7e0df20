// The matmul ladder: the product written from naive to fast, one idea per step (docs/kernels.md).
export { matmulLadder, MATMUL_LADDER, WGSL_LADDER, WASM_LADDER, type LadderStep } from './ladder.js';
export { ladderNaiveWgsl, ladderTiledWgsl, ladderRegisterWgsl, LADDER_VEC4_CONFIG, LADDER_REGISTER } from './ladder.wgsl.js';
