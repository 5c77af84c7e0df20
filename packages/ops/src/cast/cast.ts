import { Params, SaddleError, Tensor, checkDType, fmtShape, type DType } from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice } from '../shared/launch.js';
import { dense } from '../elementwise/elementwise.js';
import { castCpu } from './cast.cpu.js';
import { castWgsl, type GpuDType } from './cast.wgsl.js';

/** The conversion codes of the wasm kernel (kernels-wasm/assembly/cast/cast.ts holds the same). */
const WASM_CAST_CODES: Record<string, number> = { 'f32>i32': 0, 'f32>u32': 1, 'i32>f32': 2, 'u32>f32': 3, 'i32>u32': 4, 'u32>i32': 4 };

/**
 * `x` converted to `dtype` (PyTorch's `x.to(dtype)`, tfjs's `tf.cast`), a new dense tensor, the
 * same on every device:
 * - to f32 (or f64): the nearest value;
 * - f32 to i32 or u32: truncated toward zero, saturating at the type's range, NaN to 0 (Rust's
 *   `as`, WebAssembly's trunc_sat): cast(-1.7) = -1 (i32) or 0 (u32), cast(1e10) = 2147483647;
 * - i32 <-> u32: the same 32 bits (-1 is 4294967295 as u32).
 * Casting to the same dtype copies. f64 exists on the CPU only.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  const op = 'cast';
  const device = sameDevice(op, x);
  checkDType(op, dtype);
  if (device.kind !== 'cpu' && dtype === 'f64') throw new SaddleError(op, `x ${fmtShape(x.shape)} is on ${device.name}; expected dtype f32, i32 or u32 there (f64 is the CPU's only)`);
  const out = Tensor.empty(x.shape, dtype, device);
  if (out.size === 0) return out;
  const xd = dense(x);
  try {
    if (device.kind === 'cpu') castCpu(xd.storage.data!, x.dtype, out.storage.data!, dtype);
    else if (device.kind === 'wasm') {
      const w = asWasm(device);
      const code = x.dtype === dtype ? 5 : WASM_CAST_CODES[`${x.dtype}>${dtype}`]!;
      w.run('castKernel', [code, out.size, w.address(xd.storage, xd.offset), w.address(out.storage)], out.size);
    } else {
      asGpu(device, op).dispatch({
        label: `cast ${x.dtype}>${dtype}`,
        code: castWgsl(x.dtype as GpuDType, dtype as GpuDType),
        params: new Params().u32(out.size, 0, 0, 0).finish(),
        buffers: [xd.storage, out.storage],
        workgroups: grid1d(out.size),
      });
    }
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (xd !== x) xd.dispose();
  }
}
