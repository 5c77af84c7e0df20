// The matmul kernel: C = act(op(A)·op(B) + bias), tiled in workgroup memory with register tiles.
export { matmul, type MatmulOptions } from './matmul.js';
export { chooseMatmulConfig, MATMUL_CONFIGS, MATMUL_MIN_WORKGROUPS, matmulMinWorkgroups } from './matmul.webgpu.js';
export { chooseWasmMatmulTiles, profileWasmMatmul } from './matmul.wasm.js';
export { matmulBroadcast, isMatmul2d, type MatmulBroadcastOps, type BroadcastMatmulOptions } from './matmul-broadcast.js';
export { matmulCpu, type MatmulCpuOptions } from './matmul.cpu.js';
export { MATMUL_SPLIT_K, chooseSplitK, splitKParts, type SplitK } from './split-k.js';
export { recordSplitKReduce } from './split-k.webgpu.js';
export { splitKReduceCpu } from './split-k.cpu.js';
export { matmulFused, type MatmulFusedOptions } from './matmul-fused.js';
export { matmulFusedCpu } from './matmul-fused.cpu.js';
export { matmulF16, f16Matrix } from './matmul-f16.js';
export { matmulF16Path } from './matmul-f16.webgpu.js';
export { subgroupMatrixMatmulWgsl, SUBGROUP_MATRIX_FEATURE, SUBGROUP_MATRIX_BLOCK } from './matmul-subgroup-matrix.wgsl.js';
export { matmulF16Cpu, f16Bits, f16Value, packF16, unpackF16, type F16Matrix, type MatmulF16Options } from './matmul-f16.cpu.js';
export { splitKReduceWgsl } from './split-k.wgsl.js';
export {
  matmulWgsl,
  matmulThreads,
  matmulWorkgroupBytes,
  validateMatmulConfig,
  MATMUL_GROUP_M,
  MATMUL_ACTIVATION_CODE,
  MATMUL_ACT_WGSL,
  type MatmulConfig,
  type MatmulVariant,
} from './matmul.wgsl.js';
