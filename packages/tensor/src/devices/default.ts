import { SaddleError } from '../errors.js';
import { host } from '../host/host.js';
import { cpu } from './cpu.js';
import type { Device } from './device.js';
import { createWebGpuDevice, WebGpuDevice, type WebGpuOptions } from './webgpu.js';
import { createWasmDevice, type WasmDevice, type WasmOptions } from './wasm.js';

/** What `useDevice` and `getDevice` accept: a kind, `auto`, a Device or a GPUDevice. */
export type DeviceRequest = 'cpu' | 'webgpu' | 'wasm' | 'auto' | Device | GPUDevice;

/**
 * Options of getDevice/useDevice: WebGPU's, the wasm device's (`threads`), and `auto`'s probe
 * (without one, `auto` takes a software WebGPU adapter over wasm unmeasured).
 */
export type DeviceOptions = WebGpuOptions & WasmOptions & { probe?: AutoProbe };

let current: Device = cpu;

/** The device new tensors go to when none is named: the CPU until `useDevice` picks another. */
export function defaultDevice(): Device {
  return current;
}

/**
 * Picks the default device. `webgpu` creates a GPUDevice (or wraps one you pass); `wasm` starts
 * the WebAssembly SIMD device on `options.threads` threads (default: every core); `auto` takes a
 * hardware WebGPU adapter first, else the faster of `wasm` and a software WebGPU adapter (lavapipe,
 * SwiftShader) by timing `options.probe` on both (without a probe, the software adapter), and says
 * what it chose and why (`lastAutoChoice()`; the host's notice: stderr in Node, console.warn in a
 * page). `useDevice` of @saddle/ops, @saddle/autograd and @saddle/all passes the ops' probe.
 */
export async function useDevice(request: DeviceRequest = 'auto', options: DeviceOptions = {}): Promise<Device> {
  current = await getDevice(request, options);
  return current;
}

/** Resolves a device request without changing the default. */
export async function getDevice(request: DeviceRequest, options: DeviceOptions = {}): Promise<Device> {
  if (request === 'cpu') return cpu;
  if (request === 'wasm') return createWasmDevice(options);
  if (request === 'webgpu') return createWebGpuDevice(options);
  if (request === 'auto') return chooseAuto(options);
  if (isDevice(request)) return request;
  if (typeof request.createBuffer === 'function') return createWebGpuDevice({ ...options, device: request });
  throw new SaddleError('getDevice', `unknown device request ${String(request)}; expected 'cpu', 'webgpu', 'wasm', 'auto', a Device or a GPUDevice`);
}

/**
 * The workload `auto` times on each candidate device when no hardware GPU is found. Tensor has no
 * ops to time, so the probe is passed in (`getDevice('auto', { probe })`); `useDevice` and
 * `getDevice` of @saddle/ops (and of @saddle/autograd and @saddle/all, which re-export them) pass
 * the ops' matmul probe.
 */
export interface AutoProbe {
  /** Runs the workload on `device` and returns milliseconds per run, synchronised (a read at the end). */
  run: (device: Device) => Promise<number>;
  /** What the workload runs, for the notice. */
  label: string;
}

/** What `auto` chose and why, in words (also the host's notice: stderr in Node, console.warn in a page). */
export interface AutoChoice {
  device: Device;
  reason: string;
}

let lastChoice: AutoChoice | null = null;

/** The last choice `getDevice('auto')` / `useDevice('auto')` made, or null before any. */
export function lastAutoChoice(): AutoChoice | null {
  return lastChoice;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function chose(device: Device, reason: string): Device {
  lastChoice = { device, reason };
  host().notice(`auto chose ${device.name}: ${reason}`);
  return device;
}

/** Probe time in ms on `device`, or the error that stopped it. */
async function timeProbe(probe: AutoProbe, device: Device): Promise<number | Error> {
  try {
    return await probe.run(device);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

async function chooseAuto({ probe, ...options }: DeviceOptions): Promise<Device> {
  let gpu: WebGpuDevice | null = null;
  let gpuWhy = '';
  try {
    gpu = await createWebGpuDevice(options);
  } catch (e) {
    gpuWhy = message(e);
  }
  if (gpu && !gpu.software) return chose(gpu, 'a hardware WebGPU adapter');
  let wasm: WasmDevice | null = null;
  let wasmWhy = '';
  try {
    wasm = await createWasmDevice(options);
  } catch (e) {
    wasmWhy = message(e);
  }
  if (!gpu && !wasm) return chose(cpu, `no WebGPU adapter (${gpuWhy}) and no wasm device (${wasmWhy}); the CPU reference device`);
  if (!gpu) return chose(wasm!, `no WebGPU adapter (${gpuWhy}); the wasm device`);
  if (!wasm) return chose(gpu, `a software WebGPU adapter, the only GPU; wasm is unavailable (${wasmWhy})`);
  if (!probe) {
    wasm.destroy();
    return chose(
      gpu,
      "a software WebGPU adapter; no probe to compare it with wasm (useDevice of @saddle/ops or @saddle/autograd passes one; here, getDevice('auto', { probe }))",
    );
  }
  const tw = await timeProbe(probe, wasm);
  const tg = await timeProbe(probe, gpu);
  const fmt = (t: number | Error) => (t instanceof Error ? `failed (${t.message})` : `${t.toFixed(2)} ms`);
  const measured = `${probe.label}: wasm ${fmt(tw)}, software WebGPU ${fmt(tg)}`;
  const wasmWins = !(tw instanceof Error) && (tg instanceof Error || tw <= tg);
  if (tw instanceof Error && tg instanceof Error) {
    gpu.destroy();
    wasm.destroy();
    return chose(cpu, `neither candidate ran the probe (${measured}); the CPU reference device`);
  }
  if (wasmWins) {
    gpu.destroy();
    return chose(
      wasm,
      `no hardware GPU; wasm ${tg instanceof Error ? 'ran the probe and the software adapter did not' : 'was faster than the software adapter'} (${measured})`,
    );
  }
  wasm.destroy();
  return chose(gpu, `no hardware GPU; the software adapter ${tw instanceof Error ? 'ran the probe and wasm did not' : 'was faster than wasm'} (${measured})`);
}

const KINDS: readonly string[] = ['cpu', 'webgpu', 'wasm'];

function isDevice(x: unknown): x is Device {
  return typeof x === 'object' && x !== null && KINDS.includes((x as Device).kind) && 'alloc' in x;
}

/** Whether `d` is a WebGPU device. */
export function isWebGpu(d: Device): d is WebGpuDevice {
  return d.kind === 'webgpu';
}

/** Whether `d` is a wasm device. */
export function isWasm(d: Device): d is WasmDevice {
  return d.kind === 'wasm';
}
