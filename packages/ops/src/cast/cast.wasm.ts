import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';

/** The conversion codes of the wasm kernel (kernels-wasm/assembly/cast/cast.ts holds the same). */
const WASM_CAST_CODES: Record<string, number> = { 'f32>i32': 0, 'f32>u32': 1, 'i32>f32': 2, 'u32>f32': 3, 'i32>u32': 4, 'u32>i32': 4 };

/** Launches the wasm kernel (kernels-wasm assembly/cast/): code 5 copies when the dtypes agree. */
export function castOnWasm(xd: Tensor, out: Tensor): void {
  const w = asWasm(xd.device);
  const code = xd.dtype === out.dtype ? 5 : WASM_CAST_CODES[`${xd.dtype}>${out.dtype}`]!;
  w.run('castKernel', [code, out.size, w.address(xd.storage, xd.offset), w.address(out.storage)], out.size);
}
