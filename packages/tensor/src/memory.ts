import { cpu } from './devices/cpu.js';
import type { Device, DeviceMemory } from './devices/device.js';
import { defaultDevice } from './devices/default.js';
import { collectedTensorCount, liveTensorCount } from './tensor.js';

/** What `memory()` reports: live tensors, and the bytes of a device (the default one unless named). */
export interface MemoryInfo extends DeviceMemory {
  /** Tensors created and not yet disposed (or collected), on every device. */
  liveTensors: number;
  /**
   * Tensors the garbage collector freed because they were dropped without `dispose()` (every
   * device, since the process started). A count that keeps growing in a loop means tensors are
   * being dropped rather than disposed: their device memory waits for the collector.
   */
  collectedTensors: number;
  device: string;
}

/** Live tensors, and the memory of `device` (the default device unless named). */
export function memory(device: Device = defaultDevice()): MemoryInfo {
  return { liveTensors: liveTensorCount(), collectedTensors: collectedTensorCount(), device: device.name, ...device.memory() };
}

export { cpu };
