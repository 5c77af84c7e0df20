/**
 * f16 storage, f32 accumulation: C = act(op(A)·op(B) + bias) with A and B stored as IEEE binary16
 * (half the bytes of f32 to read), on devices with the `shader-f16` feature. The tiled matmul
 * kernel widens each value to f32 as it fetches it (f16Inputs in matmul.wgsl.ts); tiles, products
 * (exact in f32: 11-bit × 11-bit significands) and sums are f32, and C is f32.
 *
 * saddle has no f16 dtype: an `F16Matrix` is a u32 tensor holding the values two per word, with
 * the matrix's shape beside it. The values are rounded to f16 on the host (ties to even, as
 * f16Bits does), so the kernel and its CPU twin see the same inputs bit for bit; WGSL leaves the
 * rounding of an f32 → f16 conversion to the implementation, which is why no GPU conversion is used.
 *
 * Accuracy against the f32 product of the unrounded inputs: each input carries a relative error of
 * at most 2^-11 (half an f16 ulp), so each product a·b carries at most about 2^-10 of |a||b|, and
 * the sum at most 2^-10·Σ|a||b| plus the f32 accumulation error: the tests use that bound.
 */
import { Params, SaddleError, Tensor, fmtShape, fromArray, type Device, type WebGpuDevice } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { SUBGROUP_MATRIX_BLOCK, SUBGROUP_MATRIX_FEATURE, SUBGROUP_MATRIX_TILE, subgroupMatrixMatmulWgsl } from './matmul-subgroup-matrix.wgsl.js';
import { matmulF16Cpu, packF16 } from './matmul-f16.cpu.js';
import { recordMatmul, type MatmulOptions } from './matmul.js';

/** A matrix of f16 values: `packed` holds them two per u32, row-major in `shape`. */
export interface F16Matrix {
  packed: Tensor;
  shape: [number, number];
}

/** Rounds `values` (row-major, `shape`) to f16 on the host and uploads them packed. */
export function f16Matrix(values: ArrayLike<number>, shape: [number, number], device: Device): F16Matrix {
  if (values.length !== shape[0] * shape[1]) {
    throw new SaddleError('f16Matrix', `${values.length} values for shape ${fmtShape(shape)}; expected ${shape[0] * shape[1]}`);
  }
  const words = packF16(values);
  return { packed: fromArray(words, [words.length], { device, dtype: 'u32' }), shape };
}

/** Options of `matmulF16`: matmul's options and the kernel to use. */
export interface MatmulF16Options extends Pick<MatmulOptions, 'transA' | 'transB' | 'bias' | 'activation' | 'config'> {
  /** 'auto' (default): the subgroup-matrix kernel where matmulF16Path allows it; 'tiled': never. */
  kernel?: 'auto' | 'tiled';
}

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

/** act(op(a)·op(b) + bias) of f16 matrices, accumulated and returned in f32 ([M, N]). */
export function matmulF16(a: F16Matrix, b: F16Matrix, opts: MatmulF16Options = {}): Tensor {
  const op = 'matmulF16';
  const { transA = false, transB = false, bias, activation = 'none' } = opts;
  const device = a.packed.device;
  if (b.packed.device !== device || (bias && bias.device !== device)) throw new SaddleError(op, 'operands are on different devices; expected one device');
  const m = transA ? a.shape[1] : a.shape[0];
  const k = transA ? a.shape[0] : a.shape[1];
  const n = transB ? b.shape[0] : b.shape[1];
  if ((transB ? b.shape[1] : b.shape[0]) !== k) {
    throw new SaddleError(op, `inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)} (transA ${transA}, transB ${transB})`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== n || bias.dtype !== 'f32' || !bias.isDense)) {
    throw new SaddleError(op, `bias is ${bias.dtype} ${fmtShape(bias.shape)}; expected a dense f32 [${n}]`);
  }
  const out = Tensor.empty([m, n], 'f32', device);
  if (m === 0 || n === 0) return out;
  if (device.kind === 'cpu') {
    matmulF16Cpu(a.packed.storage.data!, b.packed.storage.data!, out.storage.data!, m, n, k, { transA, transB, bias: bias?.storage.data ?? null, activation });
    return out;
  }
  // f16 storage is a WebGPU feature: on wasm this throws (after freeing `out`), never runs the twin.
  if (device.kind !== 'webgpu') out.dispose();
  const gpu = asGpu(device, op);
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
    return out;
  }
  recordMatmul(gpu, a.packed, b.packed, bias ?? null, out, m, n, k, transA, transB, activation, opts.config, undefined, { f16Inputs: true });
  return out;
}
