import { SaddleError, type Device, type Tensor, type WebGpuDevice } from '@saddle/tensor';
import type { DeviceTable } from '../shared/device-table.js';
import { copyProbeOnCpu, fmaProbeOnCpu } from './probe.cpu.js';
import { copyProbeOnWasm, fmaProbeOnWasm } from './probe.wasm.js';
import { copyProbeOnWebgpu, fmaProbeOnWebgpu } from './probe.webgpu.js';
import { PROBE_WORKGROUP } from './probe.wgsl.js';

/** The FMA-chain probe on each device: WebGPU's kernel; the CPU and wasm are measured elsewhere and refuse. */
const FMA_PROBE: DeviceTable<(device: Device, out: Tensor, workgroups: number, iters: number) => number> = {
  cpu: fmaProbeOnCpu,
  wasm: fmaProbeOnWasm,
  webgpu: fmaProbeOnWebgpu,
};

/** The copy probe on each device: WebGPU's kernel; the CPU and wasm are measured elsewhere and refuse. */
const COPY_PROBE: DeviceTable<(device: Device, src: Tensor, dst: Tensor) => number> = {
  cpu: copyProbeOnCpu,
  wasm: copyProbeOnWasm,
  webgpu: copyProbeOnWebgpu,
};

/**
 * Records the FMA-chain probe (probe.wgsl.ts) on `workgroups` workgroups of 256 threads, `iters`
 * steps each; returns the flops it does (time it with device.sync()). `out` holds one f32 per
 * thread: at least workgroups · 256.
 */
export function recordFmaProbe(device: WebGpuDevice, out: Tensor, workgroups: number, iters: number): number {
  const threads = workgroups * PROBE_WORKGROUP;
  if (out.size < threads || out.dtype !== 'f32')
    throw new SaddleError('recordFmaProbe', `out is ${out.dtype} of ${out.size} elements; expected f32 of at least ${threads}`);
  return FMA_PROBE[device.kind](device, out, workgroups, iters);
}

/** Records the copy probe: dst = src, f32 of one size, a multiple of 4; returns the bytes moved (read + written). */
export function recordCopyProbe(device: WebGpuDevice, src: Tensor, dst: Tensor): number {
  if (src.size !== dst.size || src.size % 4 || src.dtype !== 'f32' || dst.dtype !== 'f32') {
    throw new SaddleError('recordCopyProbe', `src is ${src.dtype} of ${src.size}, dst ${dst.dtype} of ${dst.size}; expected f32 of one size, a multiple of 4`);
  }
  return COPY_PROBE[device.kind](device, src, dst);
}
