// The matmul kernel: C = act(op(A)·op(B) + bias), tiled in workgroup memory with register tiles.
export { matmul, chooseMatmulConfig, chooseWasmMatmulTiles, wasmMatmulProfile, MATMUL_CONFIGS, MATMUL_MIN_WORKGROUPS, matmulMinWorkgroups, type MatmulOptions } from './matmul.js';
export { matmulCpu, type MatmulCpuOptions } from './matmul.cpu.js';
export {
  matmulWgsl,
  matmulThreads,
  matmulWorkgroupBytes,
  validateMatmulConfig,
  MATMUL_GROUP_M,
  MATMUL_ACTIVATION_CODE,
  type MatmulConfig,
  type MatmulVariant,
} from './matmul.wgsl.js';
