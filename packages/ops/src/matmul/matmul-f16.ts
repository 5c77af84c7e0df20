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
import { SaddleError, Tensor, fmtShape, fromArray, type Device } from '@saddle/tensor';
import type { DeviceTable } from '../shared/device-table.js';
import { matmulF16OnCpu, packF16, type F16Matrix, type MatmulF16Options } from './matmul-f16.cpu.js';
import { matmulF16OnWasm } from './matmul-f16.wasm.js';
import { matmulF16OnWebgpu } from './matmul-f16.webgpu.js';

/**
 * The f16 product on each device: the CPU twin; on WebGPU the subgroup-matrix kernel or the tiled
 * kernel reading f16 (matmul-f16.webgpu.ts); wasm has no f16 kernel and refuses.
 */
const MATMUL_F16: DeviceTable<(a: F16Matrix, b: F16Matrix, out: Tensor, m: number, n: number, k: number, opts: MatmulF16Options) => void> = {
  cpu: matmulF16OnCpu,
  wasm: matmulF16OnWasm,
  webgpu: matmulF16OnWebgpu,
};

/** Rounds `values` (row-major, `shape`) to f16 on the host and uploads them packed. */
export function f16Matrix(values: ArrayLike<number>, shape: [number, number], device: Device): F16Matrix {
  if (values.length !== shape[0] * shape[1]) {
    throw new SaddleError('f16Matrix', `${values.length} values for shape ${fmtShape(shape)}; expected ${shape[0] * shape[1]}`);
  }
  const words = packF16(values);
  return { packed: fromArray(words, [words.length], { device, dtype: 'u32' }), shape };
}

/** act(op(a)·op(b) + bias) of f16 matrices, accumulated and returned in f32 ([M, N]). */
export function matmulF16(a: F16Matrix, b: F16Matrix, opts: MatmulF16Options = {}): Tensor {
  const op = 'matmulF16';
  const { transA = false, transB = false, bias } = opts;
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
  MATMUL_F16[device.kind](a, b, out, m, n, k, opts);
  return out;
}
