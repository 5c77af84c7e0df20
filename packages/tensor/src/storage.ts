import type { DType, TypedArray } from './dtype.js';
import type { Device } from './devices/device.js';

/**
 * The memory behind one or more tensors (views share it). Reference-counted: a tensor holds one
 * reference, and the memory goes back to its device (the pool, on WebGPU) when the last one is dropped.
 */
export class Storage {
  private refs = 1;

  private constructor(
    readonly device: Device,
    readonly dtype: DType,
    /** Elements the storage holds. */
    readonly size: number,
    private view: TypedArray | null,
    /** The buffer, on WebGPU (from the pool: it may be larger than size elements). */
    readonly buffer: GPUBuffer | null,
    /** On wasm: the byte address of element 0 in the device's WebAssembly.Memory (-1 elsewhere). */
    readonly ptr: number = -1,
    /** On wasm without shared memory: makes a fresh view after the memory grew (detaching the old one). */
    private readonly remap: ((s: Storage) => TypedArray) | null = null,
  ) {}

  /** The data, on the CPU; on wasm, a typed-array view of the device's memory at `ptr`. */
  get data(): TypedArray | null {
    // A view of a non-shared WebAssembly.Memory is detached (length 0) when the memory grows.
    if (this.remap && this.view!.length !== this.size) this.view = this.remap(this);
    return this.view;
  }

  /** A storage of the CPU (or any host-memory device) holding `data`. */
  static cpu(device: Device, data: TypedArray, dtype: DType): Storage {
    return new Storage(device, dtype, data.length, data, null);
  }

  /** A storage of `size` elements in a WebGPU buffer. */
  static gpu(device: Device, buffer: GPUBuffer, dtype: DType, size: number): Storage {
    return new Storage(device, dtype, size, null, buffer);
  }

  /**
   * A block of wasm memory at byte address `ptr`, seen through `view` (`size` elements of `dtype`).
   * `remap` (for a memory that is not shared) makes a new view once growth detached the old one.
   */
  static wasm(device: Device, ptr: number, view: TypedArray, dtype: DType, remap: ((s: Storage) => TypedArray) | null = null): Storage {
    return new Storage(device, dtype, view.length, view, null, ptr, remap);
  }

  get released(): boolean {
    return this.refs <= 0;
  }

  /** Adds a reference (a new view of this storage). */
  retain(): void {
    this.refs++;
  }

  /** Drops one reference; the last one gives the memory back. */
  release(): void {
    if (this.refs <= 0) return;
    this.refs--;
    if (this.refs === 0) this.device.free(this);
  }
}
