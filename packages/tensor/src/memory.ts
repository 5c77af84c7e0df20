import { cpu } from './devices/cpu.js';
import type { Device, DeviceMemory } from './devices/device.js';
import { defaultDevice } from './devices/default.js';
import { liveTensorCount } from './tensor.js';

/** What `memory()` reports: live tensors, and the bytes of a device (the default one unless named). */
export interface MemoryInfo extends DeviceMemory {
  /** Tensors created and not yet disposed (or collected), on every device. */
  liveTensors: number;
  device: string;
}

/** Live tensors, and the memory of `device` (the default device unless named). */
export function memory(device: Device = defaultDevice()): MemoryInfo {
  return { liveTensors: liveTensorCount(), device: device.name, ...device.memory() };
}

export { cpu };
