import { SaddleError, beginOp, fmtShape, Tensor, type Device, type WasmDevice, type WebGpuDevice } from '@saddle/tensor';

/** Threads per workgroup for the flat (one thread per element) kernels. */
export const FLAT_WORKGROUP = 256;

/**
 * Workgroup counts for `n` threads in workgroups of `size`, folded into 2-D so no dimension passes
 * the 65535 limit. Kernels recover the flat index as `gid.x + gid.y * nwg.x * size` (see flatIndexWgsl).
 */
export function grid1d(n: number, size = FLAT_WORKGROUP): [number, number] {
  const groups = Math.max(1, Math.ceil(n / size));
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x)];
}

/** WGSL for the flat index of a thread launched with grid1d. */
export function flatIndexWgsl(size = FLAT_WORKGROUP): string {
  return `gid.x + gid.y * nwg.x * ${size}u`;
}

/** Throws unless every tensor is alive and on the same device; returns that device. */
export function sameDevice(op: string, ...tensors: Tensor[]): Device {
  // Every op checks its inputs here first: an output allocation that fails names it (allocate.ts).
  beginOp(op);
  const device = tensors[0]!.assertAlive(op).device;
  for (const t of tensors) {
    t.assertAlive(op);
    if (t.device !== device) {
      throw new SaddleError(
        op,
        `inputs are on different devices (${device.name} and ${t.device.name}); expected one device: move one with \`await t.to(device)\``,
      );
    }
  }
  return device;
}

/**
 * The device as WebGPU, for an op's WebGPU branch. An op reaches it only after its CPU (and, once
 * ported, wasm) branch, so on a wasm device it means the op has no wasm kernel yet: that throws,
 * rather than running some other device's code.
 */
export function asGpu(device: Device, op = 'this op'): WebGpuDevice {
  if (device.kind !== 'webgpu') throw new SaddleError(op, `${op} has no ${device.kind} kernel yet (device ${device.name}); expected a webgpu or cpu tensor`);
  return device as WebGpuDevice;
}

/** The device as wasm, for an op's wasm branch (`if (device.kind === 'wasm')`). */
export function asWasm(device: Device): WasmDevice {
  return device as WasmDevice;
}

/** The suffix of a wasm kernel export for a dtype: unaryF32, unaryI32, unaryU32. */
export function wasmType(op: string, dtype: string): 'F32' | 'I32' | 'U32' {
  if (dtype === 'f32') return 'F32';
  if (dtype === 'i32') return 'I32';
  if (dtype === 'u32') return 'U32';
  throw new SaddleError(op, `dtype ${dtype} has no wasm kernel; expected f32, i32 or u32 (f64 runs on the CPU)`);
}

/** Throws unless `t` has `rank` dimensions. */
export function expectRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) throw new SaddleError(op, `${name} has shape ${fmtShape(t.shape)}; expected rank ${rank}`);
}

/** Throws unless both tensors have one dtype. */
export function sameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new SaddleError(
      op,
      `dtypes differ: ${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}; expected the same dtype (convert one with cast(x, dtype))`,
    );
  }
}

/** The WGSL scalar type for a dtype. */
export function wgslType(op: string, dtype: string): 'f32' | 'i32' | 'u32' {
  if (dtype === 'f32' || dtype === 'i32' || dtype === 'u32') return dtype;
  throw new SaddleError(op, `dtype ${dtype} has no WebGPU kernel; expected f32, i32 or u32 (f64 runs on the CPU)`);
}
