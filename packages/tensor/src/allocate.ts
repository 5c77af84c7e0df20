/**
 * Where a tensor's memory is asked of its device (Tensor.empty, and the creation functions), so
 * that an allocation the device cannot satisfy is an AllocationError naming the op the user called,
 * the shape, the dtype and the bytes, whatever the device reported (the CPU: a RangeError from a
 * typed array; wasm: its heap at the 4 GiB limit; WebGPU: a buffer past the adapter's limits).
 *
 * An op's output is allocated by `Tensor.empty` deep inside the op, which does not pass its name:
 * ops record it as they start (`beginOp`, called by @saddle/ops's input checks), and a failed
 * allocation without an explicit op names that one.
 */
import { bytesPerElement, type DType } from './dtype.js';
import { AllocationError } from './errors.js';
import { sizeOf, type Shape } from './shape.js';
import type { Device } from './devices/device.js';

let opInProgress: string | null = null;

/** Records the op now running (its output allocations name it if they fail). */
export function beginOp(op: string): void {
  opInProgress = op;
}

/**
 * Runs `make` (a device's alloc, upload or fill for a tensor of `shape` and `dtype`); a failure to
 * allocate becomes an AllocationError from `op` (default: the op in progress). Other errors pass.
 */
export function allocating<T>(op: string | undefined, shape: Shape, dtype: DType, device: Device, make: () => T): T {
  try {
    return make();
  } catch (e) {
    // Devices report memory they cannot give as a RangeError (Device.alloc); other errors pass.
    if (!(e instanceof RangeError)) throw e;
    throw new AllocationError(op ?? opInProgress ?? 'alloc', shape, dtype, sizeOf(shape) * bytesPerElement(dtype), device.name, e.message);
  }
}
