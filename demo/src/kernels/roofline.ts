/**
 * The roofline of each device the kernel reader times on, measured on this page (once, before the
 * first timing on that device) with the probes `pnpm bench ladder` uses
 * (benchmarks/src/roofline.ts): on WebGPU the FMA-chain probe and the vec4 copy probe of
 * @saddle/ops's src/probe; on wasm kernels-wasm's assembly/probe/peak.ts (f32x4 mul + add chains)
 * and copy.ts. Every timed kernel's GFLOP/s and GB/s are then shown as a % of these, beside its
 * arithmetic intensity and the roof min(peak, intensity × bandwidth) it sits under
 * (docs/performance.md, "Roofline").
 */
import { isWebGpu, type Device, type WasmDevice } from '@saddle/autograd';
import { measureGpuRoofline, measureWasmBandwidth, measureWasmPeak } from '@saddle/benchmarks';

export interface DeviceRoofline {
  device: 'webgpu' | 'wasm';
  /** Peak GFLOP/s of every thread (wasm: one thread's × the threads). */
  peak: number;
  /** wasm: one thread's peak (the ladder's one-thread steps are measured against it). */
  oneThread?: number;
  threads?: number;
  /** Copy bandwidth, GB/s read + written. */
  bandwidth: number;
  /** How it was measured, in words. */
  method: string;
}

const measured = new Map<Device, Promise<DeviceRoofline>>();

async function measure(device: Device, short: boolean): Promise<DeviceRoofline> {
  const reps = short ? 2 : 4;
  if (isWebGpu(device)) {
    // A software adapter runs the probe's workgroups on a few CPU threads: a small launch fills it.
    const size = device.software ? { workgroups: 32, iters: 1024, copyBytes: 8 << 20 } : { copyBytes: 64 << 20 };
    const r = await measureGpuRoofline(device, reps, size);
    return {
      device: 'webgpu',
      ...r,
      method: `FMA-chain probe (${size.workgroups ?? 4096} workgroups of 256 threads) and a vec4 copy of ${size.copyBytes >> 20} MiB, on ${device.name}`,
    };
  }
  if (device.kind !== 'wasm') throw new Error(`no roofline probe for the ${device.kind} device`);
  const wasm = device as WasmDevice;
  const p = measureWasmPeak(wasm);
  const bandwidth = measureWasmBandwidth(wasm, reps, 16 << 20);
  // Every core's peak as one core's × the threads (the wall-clock rate of all threads measures the
  // machine's other work as much as the cores), as `pnpm bench ladder` does.
  return {
    device: 'wasm',
    peak: p.oneThread * p.threads,
    oneThread: p.oneThread,
    threads: p.threads,
    bandwidth,
    method: `${p.method}; a v128 copy of 16 MiB on ${p.threads} threads`,
  };
}

/** The device's roofline, measured on the first call. */
export function rooflineOf(device: Device, short: boolean): Promise<DeviceRoofline> {
  let r = measured.get(device);
  if (!r) {
    r = measure(device, short);
    measured.set(device, r);
    r.catch(() => measured.delete(device));
  }
  return r;
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** "webgpu: peak 4.70 GFLOP/s, copy 0.50 GB/s, ridge 9.4 flop/byte (…)". */
export function describeRoofline(r: DeviceRoofline): string {
  const peak = r.device === 'wasm' ? `peak ${f(r.peak)} GFLOP/s (${f(r.oneThread!)} on one thread × ${r.threads})` : `peak ${f(r.peak)} GFLOP/s`;
  return `${r.device}, measured on this page: ${peak}, copy ${f(r.bandwidth)} GB/s, ridge at ${f(r.peak / r.bandwidth)} flop/byte (${r.method})`;
}

/** The roof over a kernel of `intensity` flop/byte: min(peak, intensity × bandwidth), and what binds it. */
export function roofAt(r: DeviceRoofline, intensity: number): { gflops: number; bound: 'memory' | 'compute' } {
  const memory = intensity * r.bandwidth;
  return memory < r.peak ? { gflops: memory, bound: 'memory' } : { gflops: r.peak, bound: 'compute' };
}

/** A rate as a % of a peak, for a table cell. */
export const pct = (rate: number, peak: number) => `${((100 * rate) / peak).toFixed(1)}%`;
export { f as fmtRate };
