/**
 * The devices a test file runs on: the CPU, one WebGPU device per test file, and wasm devices
 * (one per thread count; created on first use and destroyed after the file's tests so the worker
 * can exit).
 */
import { afterAll } from 'vitest';
import { cpu, createWasmDevice, createWebGpuDevice, type Device, type WasmDevice, type WebGpuDevice } from '@saddle/tensor';
import { relaxedSimdSupported, type KernelBuild } from '@saddle/kernels-wasm';

let gpu: Promise<WebGpuDevice> | null = null;
const wasmDevices = new Map<string, Promise<WasmDevice>>();

export function webgpu(): Promise<WebGpuDevice> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  gpu ??= createWebGpuDevice();
  return gpu;
}

/**
 * A wasm device on `threads` threads (2 by default: the calling thread and one worker, so every
 * test exercises the split of work across threads). `minParallelWork` 0 hands even tiny jobs to
 * both threads, which property tests with small shapes need to reach the threaded path. `build`
 * picks the kernels' build (default: the device's own choice, relaxed-simd where the engine has it).
 */
export function wasm(threads = 2, build?: KernelBuild): Promise<WasmDevice> {
  const key = `${threads}/${build ?? 'default'}`;
  let d = wasmDevices.get(key);
  if (!d) wasmDevices.set(key, (d = createWasmDevice({ threads, minParallelWork: 0, build })));
  return d;
}

/** Both builds of the wasm kernels where this engine runs both (relaxed SIMD first), else simd128 alone. */
export const WASM_BUILDS: KernelBuild[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd128'] : ['simd128'];

afterAll(async () => {
  if (gpu) (await gpu).destroy();
  gpu = null;
  for (const d of wasmDevices.values()) (await d).destroy();
  wasmDevices.clear();
});

/** The names of the three devices, for `describe.each` loops of tests that are device properties. */
export const DEVICE_NAMES = ['cpu', 'webgpu', 'wasm'] as const;
export type DeviceName = (typeof DEVICE_NAMES)[number];

/** The device a `describe.each(DEVICE_NAMES)` name stands for (wasm: 2 threads). */
export async function deviceNamed(name: string): Promise<Device> {
  if (name === 'cpu') return cpu;
  if (name === 'webgpu') return webgpu();
  if (name === 'wasm') return wasm();
  throw new Error(`no test device named ${name}`);
}

/** DEVICE_NAMES with a getter for each, for `describe.each(NAMED_DEVICES)('... on %s', (_name, getDevice) => ...)`. */
export const NAMED_DEVICES: [DeviceName, () => Promise<Device>][] = DEVICE_NAMES.map((name) => [name, () => deviceNamed(name)]);

/** The CPU and WebGPU devices, for loops over tests that are specific to those two. */
export async function bothDevices(): Promise<Device[]> {
  return [cpu, await webgpu()];
}

/** The CPU, WebGPU and wasm (2 threads) devices. */
export async function allDevices(): Promise<Device[]> {
  return [cpu, await webgpu(), await wasm()];
}

/** The devices whose kernels are checked against the CPU twins: WebGPU and wasm (2 threads). */
export async function kernelDevices(): Promise<Device[]> {
  return [await webgpu(), await wasm()];
}

export { cpu };
