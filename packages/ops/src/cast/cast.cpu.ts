import type { DType, Tensor, TypedArray } from '@saddle/tensor';

/** The largest f32 below 2^31 and below 2^32: the last values the WGSL kernel truncates itself. */
export const F32_BELOW_2_31 = 2147483520;
export const F32_BELOW_2_32 = 4294967040;

/**
 * One element converted from `from` to `to`, the rule every device follows (cast.ts):
 * - to a float: the nearest value (the typed array's store rounds to f32);
 * - float to integer: toward zero, saturating at the integer type's range, NaN to 0 (Rust's `as`,
 *   WebAssembly's trunc_sat);
 * - integer to integer (i32 <-> u32): the same 32 bits (two's complement wrap, C's and PyTorch's).
 */
export function castValue(v: number, from: DType, to: DType): number {
  if (to === 'f32' || to === 'f64') return v;
  if (from === 'f32' || from === 'f64') {
    if (Number.isNaN(v)) return 0;
    const [lo, hi] = to === 'i32' ? [-2147483648, 2147483647] : [0, 4294967295];
    return Math.min(Math.max(Math.trunc(v), lo), hi);
  }
  return to === 'i32' ? v | 0 : v >>> 0;
}

/** The CPU twin: out[i] = castValue(x[i]) over a dense input. */
export function castCpu(x: TypedArray, from: DType, out: TypedArray, to: DType): void {
  for (let i = 0; i < out.length; i++) out[i] = castValue(x[i]!, from, to);
}

/** cast's CPU entry: the twin on the tensors' arrays, from xd.dtype to out.dtype. */
export function castOnCpu(xd: Tensor, out: Tensor): void {
  castCpu(xd.storage.data!, xd.dtype, out.storage.data!, out.dtype);
}
