import { SaddleError } from '../errors.js';
import { host } from '../host/host.js';
import { cpu } from './cpu.js';
import type { Device } from './device.js';
import { createWebGpuDevice, WebGpuDevice, type WebGpuOptions } from './webgpu.js';
import { createWasmDevice, type WasmDevice, type WasmOptions } from './wasm.js';

export type DeviceRequest = 'cpu' | 'webgpu' | 'wasm' | 'auto' | Device | GPUDevice;

/** Options of getDevice/useDevice: WebGPU's, and the wasm device's (`threads`). */
export type DeviceOptions = WebGpuOptions & WasmOptions;

let current: Device = cpu;

/** The device new tensors go to when none is named: the CPU until `useDevice` picks another. */
export function defaultDevice(): Device {
  return current;
}

/**
 * Picks the default device. `webgpu` creates a GPUDevice (or wraps one you pass); `wasm` starts
 * the WebAssembly SIMD device on `options.threads` threads (default: every core); `auto` takes
 * WebGPU when an adapter exists, else (in a browser) the wasm device, else the CPU, with a notice
 * (console.warn in a browser, stderr in Node) saying what it fell back to and why.
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
  if (request === 'auto') return autoDevice(options);
  if (isDevice(request)) return request;
  if (typeof (request as GPUDevice).createBuffer === 'function') return createWebGpuDevice({ ...options, device: request as GPUDevice });
  throw new SaddleError('getDevice', `unknown device request ${String(request)}; expected 'cpu', 'webgpu', 'wasm', 'auto', a Device or a GPUDevice`);
}

/**
 * WebGPU, else the host's fallback: in a page the wasm device (multi-threaded where workers can
 * share memory: a cross-origin isolated page) and the CPU if even that fails; in Node the CPU.
 */
async function autoDevice(options: DeviceOptions): Promise<Device> {
  let why: string;
  try {
    return await createWebGpuDevice(options);
  } catch (e) {
    why = `no WebGPU device (${messageOf(e)})`;
  }
  if (host().fallback === 'wasm') {
    try {
      const d = await createWasmDevice(options);
      host().notice(`${why}; using ${d.name}`);
      return d;
    } catch (e) {
      why += `, no wasm device (${messageOf(e)})`;
    }
  }
  host().notice(`${why}; using the CPU`);
  return cpu;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const KINDS: readonly string[] = ['cpu', 'webgpu', 'wasm'];

function isDevice(x: unknown): x is Device {
  return typeof x === 'object' && x !== null && KINDS.includes((x as Device).kind) && 'alloc' in x;
}

export function isWebGpu(d: Device): d is WebGpuDevice {
  return d.kind === 'webgpu';
}

export function isWasm(d: Device): d is WasmDevice {
  return d.kind === 'wasm';
}
