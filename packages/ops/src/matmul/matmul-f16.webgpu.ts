import { Params, SaddleError, type Tensor, type WebGpuDevice } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { SUBGROUP_MATRIX_BLOCK, SUBGROUP_MATRIX_FEATURE, SUBGROUP_MATRIX_TILE, subgroupMatrixMatmulWgsl } from './matmul-subgroup-matrix.wgsl.js';
import type { F16Matrix, MatmulF16Options } from './matmul-f16.cpu.js';
import { recordMatmul } from './matmul.webgpu.js';

/**
 * Which kernel an f16 product runs on `device`: 'subgroup-matrix' (the GPU's matrix units, see
 * matmul-subgroup-matrix.wgsl.ts) when the device has chromium-experimental-subgroup-matrix and a
 * fixed subgroup size, the product has no bias or activation, M and N are multiples of 32 and K of
 * 16; otherwise 'tiled' (the f32 tiled kernel reading f16). lavapipe: always 'tiled'.
 */
export function matmulF16Path(device: WebGpuDevice, m: number, n: number, k: number, opts: MatmulF16Options = {}): 'subgroup-matrix' | 'tiled' {
  const plain = !opts.bias && (opts.activation ?? 'none') === 'none' && opts.kernel !== 'tiled' && !opts.config;
  const fits = m % SUBGROUP_MATRIX_BLOCK === 0 && n % SUBGROUP_MATRIX_BLOCK === 0 && k % SUBGROUP_MATRIX_TILE === 0 && k > 0;
  return plain && fits && device.features.has(SUBGROUP_MATRIX_FEATURE) && device.subgroupSize !== null ? 'subgroup-matrix' : 'tiled';
}

/**
 * The op's WebGPU entry: refuses a device without shader-f16 (after freeing `out`), then runs the
 * subgroup-matrix kernel where matmulF16Path allows it, else the tiled matmul kernel reading f16.
 */
export function matmulF16OnWebgpu(a: F16Matrix, b: F16Matrix, out: Tensor, m: number, n: number, k: number, opts: MatmulF16Options): void {
  const op = 'matmulF16';
  const { transA = false, transB = false, bias, activation = 'none' } = opts;
  const gpu = asGpu(a.packed.device, op);
  if (!gpu.features.has('shader-f16')) {
    out.dispose();
    throw new SaddleError(op, `the device ${gpu.name} lacks the shader-f16 feature; expected it for f16 storage (use matmul with f32)`);
  }
  if (matmulF16Path(gpu, m, n, k, opts) === 'subgroup-matrix') {
    const tilesN = n / SUBGROUP_MATRIX_BLOCK;
    gpu.dispatch({
      label: 'matmul f16 (subgroup matrix)',
      code: subgroupMatrixMatmulWgsl({ transA, transB, subgroupSize: gpu.subgroupSize! }),
      params: new Params().u32(m, n, k, tilesN).finish(),
      buffers: [a.packed.storage, b.packed.storage, out.storage],
      workgroups: grid1d((m / SUBGROUP_MATRIX_BLOCK) * tilesN, 1),
    });
    return;
  }
  recordMatmul(gpu, a.packed, b.packed, bias ?? null, out, m, n, k, transA, transB, activation, opts.config, undefined, { f16Inputs: true });
}
