import { Params, SaddleError, type Tensor, type WebGpuDevice } from '@saddle/tensor';
import { asGpu } from '../shared/launch.js';
import { MATMUL_CONFIGS, recordMatmul } from '../matmul/matmul.webgpu.js';
import {
  LADDER_NAIVE_TILE,
  LADDER_REGISTER,
  LADDER_TILED_TILE,
  LADDER_VEC4_CONFIG,
  ladderNaiveWgsl,
  ladderRegisterWgsl,
  ladderTiledWgsl,
} from './ladder.wgsl.js';

/** The op's WebGPU entry: the WGSL step `step` (a name from WGSL_LADDER) on dense a, b into out. */
export function ladderOnWebgpu(step: string, a: Tensor, b: Tensor, out: Tensor, m: number, n: number, k: number): void {
  recordGpuStep(asGpu(out.device, 'matmulLadder'), step, a, b, out, m, n, k);
}

/** Records one WGSL step: the ladder's own kernels (ladder.wgsl.ts), or the production matmul kernel for vec4 and final. */
function recordGpuStep(device: WebGpuDevice, step: string, a: Tensor, b: Tensor, out: Tensor, m: number, n: number, k: number): void {
  if (step === 'vec4' || step === 'final') {
    recordMatmul(device, a, b, null, out, m, n, k, false, false, 'none', step === 'vec4' ? LADDER_VEC4_CONFIG : MATMUL_CONFIGS.large, 1);
    return;
  }
  const [code, bm, bn] =
    step === 'naive'
      ? [ladderNaiveWgsl(), LADDER_NAIVE_TILE, LADDER_NAIVE_TILE]
      : step === 'tiled'
        ? [ladderTiledWgsl(), LADDER_TILED_TILE, LADDER_TILED_TILE]
        : [ladderRegisterWgsl(), LADDER_REGISTER.bm, LADDER_REGISTER.bn];
  const workgroups = [Math.ceil(n / bn), Math.ceil(m / bm)] as const;
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  if (workgroups[0] > max || workgroups[1] > max) {
    throw new SaddleError(
      'matmulLadder',
      `step '${step}' launches ${workgroups[0]}x${workgroups[1]} workgroups for [${m}, ${n}]; expected at most ${max} per dimension`,
    );
  }
  device.dispatch({
    label: `matmulLadder ${step}`,
    code,
    params: new Params().u32(m, n, k, 0).finish(),
    buffers: [a.storage, b.storage, out.storage],
    workgroups,
  });
}
