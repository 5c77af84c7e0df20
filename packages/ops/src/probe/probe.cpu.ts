import { SaddleError, type Device } from '@saddle/tensor';

/**
 * The roofline probes measure an accelerator (or, on wasm, the machine's SIMD units): the CPU
 * device runs plain TypeScript, whose peak says nothing about the kernels, so it has no probe.
 * The probes' results have no twin to compare with either (probe.test.ts checks them against
 * the chains' sums and the copied data). recordFmaProbe and recordCopyProbe refuse a CPU device.
 */
function cpuProbe(op: string, device: Device): never {
  throw new SaddleError(op, `device ${device.name} is cpu; expected a webgpu device (the CPU device has no roofline probe)`);
}

/** The FMA-chain probe's CPU entry: refuses (see above). */
export function fmaProbeOnCpu(device: Device): number {
  return cpuProbe('recordFmaProbe', device);
}

/** The copy probe's CPU entry: refuses (see above). */
export function copyProbeOnCpu(device: Device): number {
  return cpuProbe('recordCopyProbe', device);
}
