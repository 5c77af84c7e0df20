import { SaddleError } from '../errors.js';
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
 * WebGPU when an adapter exists and otherwise falls back to the CPU with a one-line notice.
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
  if (request === 'auto') {
    try {
      return await createWebGpuDevice(options);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      globalThis.process?.stderr?.write?.(`saddle: no WebGPU device (${why}); using the CPU\n`);
      return cpu;
    }
  }
  if (isDevice(request)) return request;
  if (typeof (request as GPUDevice).createBuffer === 'function') return createWebGpuDevice({ ...options, device: request as GPUDevice });
  throw new SaddleError('getDevice', `unknown device request ${String(request)}; expected 'cpu', 'webgpu', 'wasm', 'auto', a Device or a GPUDevice`);
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
