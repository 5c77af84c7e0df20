import { SaddleError } from '../errors.js';
import { cpu } from './cpu.js';
import type { Device } from './device.js';
import { createWebGpuDevice, WebGpuDevice, type WebGpuOptions } from './webgpu.js';

export type DeviceRequest = 'cpu' | 'webgpu' | 'auto' | Device | GPUDevice;

let current: Device = cpu;

/** The device new tensors go to when none is named: the CPU until `useDevice` picks another. */
export function defaultDevice(): Device {
  return current;
}

/**
 * Picks the default device. `webgpu` creates a GPUDevice (or wraps one you pass); `auto` takes
 * WebGPU when an adapter exists and otherwise falls back to the CPU with a one-line notice.
 */
export async function useDevice(request: DeviceRequest = 'auto', options: WebGpuOptions = {}): Promise<Device> {
  current = await getDevice(request, options);
  return current;
}

/** Resolves a device request without changing the default. */
export async function getDevice(request: DeviceRequest, options: WebGpuOptions = {}): Promise<Device> {
  if (request === 'cpu') return cpu;
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
  throw new SaddleError('getDevice', `unknown device request ${String(request)}; expected 'cpu', 'webgpu', 'auto', a Device or a GPUDevice`);
}

function isDevice(x: unknown): x is Device {
  return typeof x === 'object' && x !== null && ((x as Device).kind === 'cpu' || (x as Device).kind === 'webgpu') && 'alloc' in x;
}

export function isWebGpu(d: Device): d is WebGpuDevice {
  return d.kind === 'webgpu';
}
