import { SaddleError, fmtShape, Tensor, type Device, type WebGpuDevice } from '@saddle/tensor';

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

export function asGpu(device: Device): WebGpuDevice {
  return device as WebGpuDevice;
}

/** Throws unless `t` has `rank` dimensions. */
export function expectRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) throw new SaddleError(op, `${name} has shape ${fmtShape(t.shape)}; expected rank ${rank}`);
}

/** Throws unless both tensors have one dtype. */
export function sameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new SaddleError(op, `dtypes differ: ${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}; expected the same dtype`);
  }
}

/** The WGSL scalar type for a dtype. */
export function wgslType(op: string, dtype: string): 'f32' | 'i32' | 'u32' {
  if (dtype === 'f32' || dtype === 'i32' || dtype === 'u32') return dtype;
  throw new SaddleError(op, `dtype ${dtype} has no WebGPU kernel; expected f32, i32 or u32 (f64 runs on the CPU)`);
}
