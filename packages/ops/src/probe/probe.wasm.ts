import { SaddleError, type Device } from '@saddle/tensor';

/**
 * The roofline probes on wasm are kernels of their own, with their own launch (threads, not
 * workgroups): kernels-wasm's assembly/probe/peak.ts (peakMulAddF32) and assembly/probe/copy.ts
 * (probeCopyBandwidth), run and timed by benchmarks/src/roofline.ts (measureWasmPeak,
 * measureWasmBandwidth). recordFmaProbe and recordCopyProbe take a WebGPU device; given a wasm
 * one they refuse, pointing there.
 */
function wasmProbe(op: string, device: Device): never {
  throw new SaddleError(
    op,
    `device ${device.name} is wasm; expected a webgpu device (on wasm the roofline probes are kernels-wasm's peakMulAddF32 and probeCopyBandwidth, run by benchmarks/src/roofline.ts)`,
  );
}

/** The FMA-chain probe's wasm entry: refuses (see above). */
export function fmaProbeOnWasm(device: Device): number {
  return wasmProbe('recordFmaProbe', device);
}

/** The copy probe's wasm entry: refuses (see above). */
export function copyProbeOnWasm(device: Device): number {
  return wasmProbe('recordCopyProbe', device);
}
