import { allocArray, bytesPerElement, type DType, type TypedArray } from '../dtype.js';
import { Storage } from '../storage.js';
import type { Device, DeviceMemory } from './device.js';

/**
 * upload, fill and read for a device whose storages are typed arrays in this thread's memory
 * (`storage.data`): the CPU device, and the wasm device (views of its WebAssembly.Memory).
 */
export abstract class HostMemoryDevice {
  abstract alloc(dtype: DType, size: number): Storage;

  upload(data: ArrayLike<number>, dtype: DType): Storage {
    const s = this.alloc(dtype, data.length);
    const out = s.data!;
    if (ArrayBuffer.isView(data) && data.constructor === out.constructor) out.set(data);
    else for (let i = 0; i < data.length; i++) out[i] = data[i]!;
    return s;
  }

  fill(dtype: DType, size: number, value: number): Storage {
    const s = this.alloc(dtype, size);
    s.data!.fill(value);
    return s;
  }

  async read(storage: Storage, offset: number, count: number): Promise<TypedArray> {
    return storage.data!.slice(offset, offset + count);
  }
}

/** The CPU device: storages are typed arrays, kernels are the plain-TS reference kernels. */
export class CpuDevice extends HostMemoryDevice implements Device {
  readonly kind = 'cpu' as const;
  readonly name = 'cpu';
  private liveBytes = 0;

  alloc(dtype: DType, size: number): Storage {
    let data: TypedArray;
    try {
      data = allocArray(dtype, size);
    } catch (e) {
      // A length past the engine's typed-array limit, or memory the engine cannot get.
      if (!(e instanceof RangeError)) throw e;
      throw new RangeError(`${size} elements of ${dtype} are more than this JavaScript engine can hold in one typed array (${e.message})`, { cause: e });
    }
    this.liveBytes += size * bytesPerElement(dtype);
    return Storage.cpu(this, data, dtype);
  }

  free(storage: Storage): void {
    this.liveBytes -= storage.size * bytesPerElement(storage.dtype);
  }

  flush(): void {}

  memory(): DeviceMemory {
    return { liveBytes: this.liveBytes, pooledBytes: 0, pooledBuffers: 0, allocatedBytes: this.liveBytes };
  }

  destroy(): void {}
}

/** The CPU device (one per process): typed arrays and the reference kernels. */
export const cpu = new CpuDevice();
