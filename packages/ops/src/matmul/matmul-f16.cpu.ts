import type { Tensor, TypedArray } from '@saddle/tensor';
import { matmulCpu, type MatmulCpuOptions } from './matmul.cpu.js';
import type { MatmulOptions } from './matmul.js';

/** A matrix of f16 values: `packed` holds them two per u32, row-major in `shape`. */
export interface F16Matrix {
  packed: Tensor;
  shape: [number, number];
}

/** Options of `matmulF16`: matmul's options and the kernel to use. */
export interface MatmulF16Options extends Pick<MatmulOptions, 'transA' | 'transB' | 'bias' | 'activation' | 'config'> {
  /** 'auto' (default): the subgroup-matrix kernel where matmulF16Path allows it; 'tiled': never. */
  kernel?: 'auto' | 'tiled';
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The IEEE binary16 bits nearest to `x` (after rounding x to f32), ties to even: what a correctly
 * rounding f32 → f16 conversion gives. Overflow gives ±inf (from 65520 up), |x| < 2^-25 gives ±0,
 * NaN stays NaN.
 */
export function f16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal: value m · 2^-24; drop 14 - e bits of the 24-bit significand, rounding to even.
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    const half = 2 ** (shift - 1);
    let m = Math.floor(full / 2 ** shift);
    const rem = full - m * 2 ** shift;
    if (rem > half || (rem === half && m & 1)) m++;
    return sign | m; // m = 0x400 is the smallest normal, encoded the same way
  }
  let m = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** The number an f16 bit pattern holds. */
export function f16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** `values` rounded to f16 and packed two to a u32 (element 2i in the low half of word i, as WGSL's array<f16> reads it). */
export function packF16(values: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(Math.max(1, Math.ceil(values.length / 2)));
  for (let i = 0; i < values.length; i++) out[i >>> 1]! |= f16Bits(values[i]!) << (i & 1 ? 16 : 0);
  return out;
}

/** The first `count` f16 values of a packed array, as numbers. */
export function unpackF16(packed: ArrayLike<number>, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = f16Value((packed[i >>> 1]! >>> (i & 1 ? 16 : 0)) & 0xffff);
  return out;
}

/**
 * CPU twin of the f16-input matmul: the packed f16 values, widened exactly, multiplied as matmulCpu
 * does (in doubles). The kernel accumulates in f32: each f16 × f16 product is exact in f32, so
 * the two differ only by the f32 accumulation error.
 */
export function matmulF16Cpu(a: ArrayLike<number>, b: ArrayLike<number>, out: TypedArray, m: number, n: number, k: number, opts: MatmulCpuOptions = {}): void {
  matmulCpu(unpackF16(a, m * k), unpackF16(b, k * n), out, m, n, k, opts);
}

/** The op's CPU entry: the twin on the packed tensors' arrays. */
export function matmulF16OnCpu(a: F16Matrix, b: F16Matrix, out: Tensor, m: number, n: number, k: number, opts: MatmulF16Options): void {
  const { transA = false, transB = false, bias, activation = 'none' } = opts;
  matmulF16Cpu(a.packed.storage.data!, b.packed.storage.data!, out.storage.data!, m, n, k, { transA, transB, bias: bias?.storage.data ?? null, activation });
}
