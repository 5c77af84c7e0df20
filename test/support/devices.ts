/**
 * The devices a test file runs on: the CPU, and one WebGPU device per test file (created on first
 * use, destroyed after the file's tests so the worker can exit).
 */
import { afterAll } from 'vitest';
import { cpu, createWebGpuDevice, type Device, type WebGpuDevice } from '@saddle/tensor';

let gpu: Promise<WebGpuDevice> | null = null;

export function webgpu(): Promise<WebGpuDevice> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  gpu ??= createWebGpuDevice();
  return gpu;
}

afterAll(async () => {
  if (gpu) (await gpu).destroy();
  gpu = null;
});

/** Both devices, for `describe.each`-style loops. */
export async function bothDevices(): Promise<Device[]> {
  return [cpu, await webgpu()];
}

export { cpu };
