/**
 * The `wasm` device: f32, i32 and u32 tensors in one shared WebAssembly.Memory, run by saddle's
 * hand-written WebAssembly SIMD kernels (@saddle/kernels-wasm) on every core.
 *
 * - Memory: one `WebAssembly.Memory({ shared: true })`; a storage is a block of it (WasmHeap:
 *   size classes and free lists) seen through a typed-array view, so upload and read are plain
 *   copies and no byte crosses a bus.
 * - Execution is synchronous, like the CPU device: an op's launcher calls `run(kernel, args, work)`,
 *   which returns when the result is written. Jobs smaller than `minParallelWork` run on the
 *   calling thread alone; larger ones are shared with the pool's workers (ThreadPool).
 * - Threads: `threads` (default: every core, `os.availableParallelism()` in Node,
 *   `navigator.hardwareConcurrency` in a browser). A browser page that is not cross-origin
 *   isolated has no SharedArrayBuffer: there the device runs the single-thread build of the
 *   kernels (kernels-single.wasm) on an ordinary memory, whose growth detaches the typed-array
 *   views; a storage then remaps its view on the next access (Storage.data).
 * - Build: the relaxed-SIMD kernels (fused multiply-add in the matrix products) where the engine
 *   validates relaxed SIMD, else the SIMD128 ones; `build` or the SADDLE_WASM environment variable
 *   (`simd128`, `relaxed-simd`) chooses. The name says which runs. Results of the two builds (and
 *   of machines with and without FMA) may differ in the last bits; within one, 1 and N threads agree.
 *
 * The Node-only modules are imported dynamically, so this file loads in a browser.
 */
import { chooseKernelBuild, loadKernelsModule, type KernelBuild, type WasmConstantName, type WasmKernelArgs, type WasmKernelName } from '@saddle/kernels-wasm';
import { bytesPerElement, type DType, type TypedArray } from '../dtype.js';
import { SaddleError } from '../errors.js';
import { Storage } from '../storage.js';
import type { Device, DeviceMemory } from './device.js';
import { HostMemoryDevice } from './cpu.js';
import { WasmHeap } from './wasm-heap.js';
import { CONTROL_BYTES, ThreadPool } from './wasm-pool.js';
import { host } from '../host/host.js';

const PAGE = 65536;
/** wasm32 addresses 4 GiB: the memory's maximum, in pages. */
const MAX_PAGES = 65536;
const INITIAL_PAGES = 256;

/** Options of the wasm device: threads, shared memory or not, the smallest job worth splitting. */
export interface WasmOptions {
  /** Threads that run kernels, the calling thread included (default: every core; 1 without shared memory). */
  threads?: number;
  /**
   * Whether to use a shared memory (and so threads). Default: when SharedArrayBuffer exists (Node;
   * a browser page that is cross-origin isolated). Without it the device runs the single-thread
   * build of the kernels on an ordinary memory.
   */
  shared?: boolean;
  /** Jobs with less work than this (roughly: elements touched) run on the calling thread alone. */
  minParallelWork?: number;
  /**
   * The most memory the device may use, in bytes (rounded down to 64 KiB pages; at least 16 MiB).
   * Default and upper bound: 4 GiB, what wasm32 addresses. A lower cap makes allocations past it
   * fail (AllocationError) instead of taking the machine's memory.
   */
  maxMemoryBytes?: number;
  /**
   * Which build of the kernels: 'relaxed-simd' (fused multiply-add) or 'simd128'. Default: the
   * SADDLE_WASM environment variable where there is one (Node), else relaxed-simd where the engine
   * validates it.
   */
  build?: KernelBuild;
}

/** SADDLE_WASM from the environment (Node), or undefined (a browser has none). */
function buildOverride(): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SADDLE_WASM;
}

export class WasmDevice extends HostMemoryDevice implements Device {
  readonly kind = 'wasm' as const;
  readonly name: string;
  private liveBytes = 0;
  private destroyed = false;
  /** Jobs below this much work run on the calling thread only (waking workers costs microseconds). */
  readonly minParallelWork: number;

  /** Makes a fresh view of a storage after a memory that is not shared grew (null when shared: views never detach). */
  private readonly remap: ((s: Storage) => TypedArray) | null;

  private constructor(
    private readonly pool: ThreadPool,
    private readonly heap: WasmHeap,
    minParallelWork: number,
    /** Whether the memory is shared (threads possible; views never detach). */
    readonly shared: boolean,
    /** Which build of the kernels runs: 'relaxed-simd' (fused multiply-add) or 'simd128'. */
    readonly build: KernelBuild,
  ) {
    super();
    this.minParallelWork = minParallelWork;
    this.name = `wasm (${pool.threads} thread${pool.threads === 1 ? '' : 's'}, ${build}${shared ? '' : ', unshared memory'})`;
    this.remap = shared ? null : (s) => viewOf(this.heap.memory, s.dtype, s.ptr, s.size);
  }

  /** Starts a wasm device: loads the kernels, creates the memory, starts the worker threads. */
  static async create(options: WasmOptions = {}): Promise<WasmDevice> {
    // A browser page shares memory with workers only when cross-origin isolated (Node always can).
    const canShare = typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
    const shared = options.shared ?? canShare;
    if (shared && !canShare) {
      throw new SaddleError(
        'wasm',
        'shared memory needs SharedArrayBuffer, which this page lacks; expected a cross-origin isolated page (COOP + COEP headers), or shared: false (one thread)',
      );
    }
    const threads = options.threads ?? (shared ? host().cores() : 1);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new SaddleError('wasm', `threads is ${threads}; expected an integer >= 1`);
    }
    if (threads > 1 && !shared) {
      throw new SaddleError(
        'wasm',
        `threads is ${threads} without shared memory; expected 1 (worker threads share one memory: SharedArrayBuffer, in a browser a cross-origin isolated page)`,
      );
    }
    const maxBytes = options.maxMemoryBytes ?? MAX_PAGES * PAGE;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < INITIAL_PAGES * PAGE || maxBytes > MAX_PAGES * PAGE) {
      throw new SaddleError('wasm', `maxMemoryBytes is ${maxBytes}; expected an integer from ${INITIAL_PAGES * PAGE} (16 MiB) to ${MAX_PAGES * PAGE} (4 GiB)`);
    }
    const maxPages = Math.floor(maxBytes / PAGE);
    let build: KernelBuild;
    try {
      build = chooseKernelBuild(options.build ?? buildOverride());
    } catch (e) {
      throw new SaddleError('wasm', (e as Error).message.replace(/^kernels-wasm: /, ''));
    }
    const module = await loadKernelsModule(shared, build);
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: maxPages, shared });
    const instance = await WebAssembly.instantiate(module, { env: { memory, abort: abortKernel } });
    const heapBase = (instance.exports.heapBase as () => number)();
    const control = Math.ceil(heapBase / 64) * 64;
    const pool = await ThreadPool.create(module, memory, instance, control, threads);
    const heap = new WasmHeap(memory, control + CONTROL_BYTES, maxPages * PAGE);
    return new WasmDevice(pool, heap, options.minParallelWork ?? 1 << 15, shared, build);
  }

  /** Threads a large job runs on (the calling thread included). */
  get threads(): number {
    return this.pool.threads;
  }

  /**
   * The largest `nthreads` a kernel can be called with (the units of a parallel job; a small job
   * runs as tid 0 of 1): a kernel that needs scratch per unit gets units x size from its launcher.
   */
  get units(): number {
    return this.pool.units;
  }

  /** The shared memory every storage of this device lives in. */
  get memoryObject(): WebAssembly.Memory {
    return this.heap.memory;
  }

  /**
   * Runs kernel export `kernel` with `args` (then the thread index and count it splits its work
   * by). `work` is the job's size in elements touched (or an equivalent): below minParallelWork
   * the calling thread does it alone. Returns when the kernel has finished on every thread.
   * The kernel's name and arguments are typed by the module's declared exports
   * (`WasmKernels` of @saddle/kernels-wasm, generated from the build): a wrong name or argument
   * count does not compile.
   */
  run<K extends WasmKernelName>(kernel: K, args: WasmKernelArgs<K>, work: number): void {
    this.checkAlive(kernel);
    this.pool.run(kernel, args, work >= this.minParallelWork);
  }

  /** Copies integers (shapes, strides) into the next job's scratch area; returns their byte address. */
  ints(values: ArrayLike<number>): number {
    return this.pool.ints(values);
  }

  /** The value of a constant the kernel module exports (e.g. a kernel's block size), so JS never restates it. */
  constant(name: WasmConstantName): number {
    const g = this.pool.instance.exports[name];
    if (!(g instanceof WebAssembly.Global)) throw new Error(`wasm: the kernel module exports no constant ${name}; rebuild it`);
    return g.value as number;
  }

  /** Whether the kernel module exports `kernel` (every build exports every kernel not in `WASM_KERNELS_ONLY_IN`). */
  hasKernel(kernel: WasmKernelName): boolean {
    return this.pool.has(kernel);
  }

  /** Byte address of element `offset` of a storage of this device. */
  address(storage: Storage, offset = 0): number {
    return storage.ptr + offset * bytesPerElement(storage.dtype);
  }

  alloc(dtype: DType, size: number): Storage {
    this.checkAlive('alloc');
    if (dtype === 'f64') throw new SaddleError('alloc', 'dtype f64 is supported on the CPU only; expected f32, i32 or u32 on wasm');
    const bytes = size * 4;
    // The heap's RangeError, when the memory cannot give the block, becomes an AllocationError
    // naming the op, shape and bytes (allocate.ts).
    const ptr = this.heap.alloc(bytes);
    this.liveBytes += bytes;
    return Storage.wasm(this, ptr, viewOf(this.heap.memory, dtype, ptr, size), dtype, this.remap);
  }

  free(storage: Storage): void {
    if (this.destroyed) return;
    const bytes = storage.size * 4;
    this.heap.release(storage.ptr);
    this.liveBytes -= bytes;
  }

  flush(): void {}

  memory(): DeviceMemory {
    return {
      liveBytes: this.liveBytes,
      pooledBytes: this.heap.pooledBytes,
      pooledBuffers: this.heap.pooledCount,
      allocatedBytes: this.heap.allocatedBytes,
    };
  }

  /** Terminates the workers. Tensors of this device must not be used afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.destroy();
  }

  private checkAlive(op: string): void {
    if (this.destroyed) throw new SaddleError(op, `device ${this.name} was destroyed`);
  }
}

function viewOf(memory: WebAssembly.Memory, dtype: DType, ptr: number, size: number): TypedArray {
  const buf = memory.buffer;
  if (dtype === 'f32') return new Float32Array(buf, ptr, size);
  if (dtype === 'i32') return new Int32Array(buf, ptr, size);
  return new Uint32Array(buf, ptr, size);
}

function abortKernel(): never {
  throw new Error('wasm kernel aborted');
}

/** Starts a wasm device (WebAssembly SIMD kernels on `options.threads` threads, default every core). */
export function createWasmDevice(options: WasmOptions = {}): Promise<WasmDevice> {
  return WasmDevice.create(options);
}
