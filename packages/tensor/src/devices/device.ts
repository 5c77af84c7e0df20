import type { DType, TypedArray } from '../dtype.js';
import type { Storage } from '../storage.js';

/** The three kinds of device. */
export type DeviceKind = 'cpu' | 'webgpu' | 'wasm';

/** The memory a device holds, in bytes and buffers. */
export interface DeviceMemory {
  /** Bytes held by live storages on this device. */
  liveBytes: number;
  /** Bytes sitting in the buffer pool (WebGPU) or the free lists (wasm), ready for reuse. */
  pooledBytes: number;
  pooledBuffers: number;
  /** Every byte this device has allocated from the driver and not destroyed. */
  allocatedBytes: number;
}

/**
 * Where tensors live. The CPU keeps typed arrays; WebGPU keeps pooled GPUBuffers; wasm keeps blocks
 * of one shared WebAssembly.Memory.
 */
export interface Device {
  readonly kind: DeviceKind;
  /** A human-readable name: `cpu`, or `webgpu (NVIDIA H100 ...)`. */
  readonly name: string;
  /** A storage of `size` elements with unspecified contents. */
  alloc(dtype: DType, size: number): Storage;
  /** A storage holding a copy of `data` (converted to `dtype`). */
  upload(data: ArrayLike<number>, dtype: DType): Storage;
  /** A storage of `size` elements all equal to `value`. */
  fill(dtype: DType, size: number, value: number): Storage;
  /** Copies `count` elements starting at element `offset` back to the CPU. */
  read(storage: Storage, offset: number, count: number): Promise<TypedArray>;
  /** Called by Storage when its last reference is dropped. */
  free(storage: Storage): void;
  /** Sends recorded work to the device (no-op on the CPU). */
  flush(): void;
  /** What this device holds: live, pooled and allocated bytes. */
  memory(): DeviceMemory;
  /** Frees everything the device holds; its tensors become unusable. */
  destroy(): void;
}
