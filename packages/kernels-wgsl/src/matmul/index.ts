// The matmul kernel: C = act(op(A)·op(B) + bias), tiled in workgroup memory with register tiles.
export { matmul, chooseMatmulConfig, chooseWasmMatmulTiles, profileWasmMatmul, MATMUL_CONFIGS, MATMUL_MIN_WORKGROUPS, matmulMinWorkgroups, type MatmulOptions } from './matmul.js';
export { matmulCpu, activate as matmulActivate, type MatmulCpuOptions } from './matmul.cpu.js';
export {
  matmulWgsl,
  matmulThreads,
  matmulWorkgroupBytes,
  validateMatmulConfig,
  MATMUL_GROUP_M,
  MATMUL_ACTIVATION_CODE,
  type MatmulActivation,
  type MatmulConfig,
  type MatmulVariant,
} from './matmul.wgsl.js';
