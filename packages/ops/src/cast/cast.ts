import { SaddleError, Tensor, checkDType, fmtShape, type DType } from '@saddle/tensor';
import { sameDevice } from '../shared/launch.js';
import { HOLDS_F64, type DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { castOnCpu } from './cast.cpu.js';
import { castOnWasm } from './cast.wasm.js';
import { castOnWebgpu } from './cast.webgpu.js';

/** The conversion on each device: dense `xd` into `out`, from xd.dtype to out.dtype. */
const CAST: DeviceTable<(xd: Tensor, out: Tensor) => void> = {
  cpu: castOnCpu,
  wasm: castOnWasm,
  webgpu: castOnWebgpu,
};

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
  if (dtype === 'f64' && !HOLDS_F64[device.kind])
    throw new SaddleError(op, `x ${fmtShape(x.shape)} is on ${device.name}; expected dtype f32, i32 or u32 there (f64 is the CPU's only)`);
  const out = Tensor.empty(x.shape, dtype, device);
  if (out.size === 0) return out;
  const xd = dense(x);
  try {
    CAST[device.kind](xd, out);
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (xd !== x) xd.dispose();
  }
}
