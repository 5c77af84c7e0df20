import { SaddleError } from '../errors.js';
import { bytesPerElement, allocArray, toTypedArray, type DType, type TypedArray } from '../dtype.js';
import { Storage } from '../storage.js';
import { BufferPool } from './buffer-pool.js';
import { UniformArena } from './uniform-arena.js';
import type { Device, DeviceMemory } from './device.js';
import { host } from '../host/host.js';

/** One kernel launch, as an op describes it to the device. */
export interface DispatchSpec {
  /** The op's name; it labels the pipeline and any error. */
  label: string;
  /** WGSL source. Pipelines are compiled once per distinct source and entry point. */
  code: string;
  entryPoint?: string;
  /** The kernel's parameters, bound as `var<uniform>` at @binding(0) (see Params). */
  params: Uint8Array;
  /** Storage buffers at @binding(1), @binding(2), ... in this order. */
  buffers: readonly (Storage | GPUBuffer)[];
  /** Workgroup counts; each at most maxComputeWorkgroupsPerDimension. */
  workgroups: readonly [number, number?, number?];
}

/** Counters a test or a profiler can read: how much work went to the GPU, in how many submits. */
export interface DeviceCounters {
  dispatches: number;
  submits: number;
  readbacks: number;
  pipelines: number;
}

/** A compiled kernel: its pipeline, its bind group layout, and how many storage buffers it binds. */
export interface CompiledKernel {
  id: number;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  storageBindings: number;
}

const BIND_GROUP_CACHE_SIZE = 8192;
const SUBMITS_WITHOUT_YIELD_WARNING = 2000;

/** Options of a WebGPU device: an existing GPUDevice, power preference, batching, how to wait for the GPU. */
export interface WebGpuOptions {
  /** Use this GPUDevice instead of creating one (the caller keeps ownership). */
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
  /** Dispatches recorded before the encoder is submitted on its own. */
  maxDispatchesPerSubmit?: number;
  /**
   * How `read()` and `sync()` wait for the GPU. Dawn in Node resolves a pending `mapAsync` or
   * `onSubmittedWorkDone` by polling from the event loop until it is done, which keeps one CPU core
   * busy for the whole wait. `'poll'` (the default) hands the wait to Dawn at once: the least
   * latency, right for a GPU. `'sleep'` first sleeps (a timer, nothing polling) through most of the
   * time the submitted work is expected to take, then lets Dawn poll for the rest (see
   * WaitEstimator). On a software adapter (lavapipe, SwiftShader), whose kernels run on the cores the
   * poller would take, that made GAN training 1.4-1.75x faster; but lavapipe crashed (a segfault in
   * its queue thread) in 3 of 8 runs of the test suite with `'sleep'` and in none of the runs with
   * `'poll'`, cause not found, so it is opt-in. `'auto'` is `'poll'` for now.
   */
  wait?: 'poll' | 'sleep' | 'auto';
  /**
   * Use subgroup operations where the device has the `subgroups` feature and one fixed subgroup
   * size (default true); false keeps every kernel on its workgroup-memory path (tests compare both).
   */
  subgroups?: boolean;
}

/** Whether an adapter name is a CPU-side WebGPU implementation (Mesa lavapipe, SwiftShader). */
export function isSoftwareAdapterName(name: string): boolean {
  return /llvmpipe|lavapipe|swiftshader/i.test(name);
}

/** options.wait, checked, with 'auto' resolved (see WebGpuOptions.wait). */
function resolveWaitMode(options: WebGpuOptions): 'poll' | 'sleep' {
  const wait = options.wait ?? 'auto';
  if (wait !== 'auto' && wait !== 'poll' && wait !== 'sleep') {
    throw new SaddleError('webgpu', `wait is ${JSON.stringify(wait)}; expected 'poll', 'sleep' or 'auto'`);
  }
  return wait === 'auto' ? 'poll' : wait;
}

/**
 * Expected execution time of submitted work, learned from the waits themselves, so that a wait can
 * sleep through most of it instead of polling.
 *
 * The device counts the dispatches submitted since the queue was last seen idle, and when the first
 * of them was submitted (`busySince`). Each finished wait measures (end - busySince) / dispatches:
 * the time per dispatch, averaged over the mix of kernels the program runs. A training loop runs the
 * same mix every step, so the next wait's end is predicted as busySince + dispatches x that figure.
 * The wait sleeps until SLEEP_FRACTION of that and polls from there.
 *
 * Why it converges: if the estimate is too long, the work is done before the sleep ends and the wait
 * measures about SLEEP_FRACTION of the old estimate, so it shrinks by that factor each time; if it is
 * too short, the polling covers the rest and measures the true time. The measurement overstates the
 * kernels' time when the queue ran dry (the program was slower to record than the GPU to execute),
 * and then the sleep is the program's own time anyway, the wait only adds the last poll. Short
 * waits (under MIN_SLEEP_MS expected) are not worth a timer and are polled.
 */
export class WaitEstimator {
  static readonly SLEEP_FRACTION = 0.8;
  static readonly MIN_SLEEP_MS = 2;
  /** Weight of a new measurement in the running estimate (a longer one; a shorter one is taken whole). */
  static readonly SMOOTHING = 0.3;
  /** Milliseconds per dispatch, or null before the first measured wait. */
  msPerDispatch: number | null = null;
  private busySince: number | null = null;
  private dispatches = 0;

  /** Records a submit of `dispatches` dispatches at time `now`. */
  submitted(dispatches: number, now: number): void {
    if (dispatches === 0) return;
    if (this.busySince === null) this.busySince = now;
    this.dispatches += dispatches;
  }

  /** How long a wait starting at `now` should sleep before polling (0: poll at once). */
  sleepMs(now: number): number {
    if (this.msPerDispatch === null || this.busySince === null) return 0;
    const until = this.busySince + WaitEstimator.SLEEP_FRACTION * this.dispatches * this.msPerDispatch;
    const ms = until - now;
    return ms >= WaitEstimator.MIN_SLEEP_MS ? ms : 0;
  }

  /** A snapshot to hand to `finished` when the wait that began at this point completes. */
  mark(): { dispatches: number; busySince: number | null } {
    return { dispatches: this.dispatches, busySince: this.busySince };
  }

  /**
   * The work counted in `at` finished by `now`. Updates the estimate and forgets that work; work
   * submitted after `at` was taken (by another caller) is still pending and now counts from `now`.
   */
  finished(at: { dispatches: number; busySince: number | null }, now: number): void {
    if (at.busySince !== null && at.dispatches > 0 && this.busySince === at.busySince) {
      const measured = (now - at.busySince) / at.dispatches;
      const prev = this.msPerDispatch;
      this.msPerDispatch = prev === null || measured < prev ? measured : prev + WaitEstimator.SMOOTHING * (measured - prev);
      this.dispatches -= at.dispatches;
      this.busySince = this.dispatches > 0 ? now : null;
    }
  }
}

/**
 * The WebGPU device. Ops record dispatches into one shared command encoder (one compute pass),
 * which is submitted when a result is read, when `flush()` is called, or when a bound is reached;
 * never one submit per op. Buffers come from a BufferPool; parameters from a UniformArena.
 */
export class WebGpuDevice implements Device {
  readonly kind = 'webgpu' as const;
  readonly name: string;
  /** Whether the adapter is a CPU-side WebGPU implementation (isSoftwareAdapterName). */
  readonly software: boolean;
  readonly counters: DeviceCounters = { dispatches: 0, submits: 0, readbacks: 0, pipelines: 0 };
  readonly features: ReadonlySet<string>;
  readonly limits: GPUSupportedLimits;
  private readonly pool: BufferPool;
  private readonly arena: UniformArena;
  private readonly pipelines = new Map<string, CompiledKernel>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  private submitsSinceTick = 0;
  private tickPending = false;
  private warnedNoYield = false;
  private readonly readPool = new Map<number, GPUBuffer[]>();
  private encoder: GPUCommandEncoder | null = null;
  /** The check buffer (CHECK_SLOTS pairs of u32: flag, value) and the pending checks' reports, by slot. */
  private checkBuffer: GPUBuffer | null = null;
  private checks: ((value: number) => SaddleError)[] = [];
  private pass: GPUComputePassEncoder | null = null;
  private recorded = 0;
  private liveBytes = 0;
  private readonly errors: string[] = [];
  private destroyed = false;
  readonly maxDispatchesPerSubmit: number;
  /**
   * The subgroup size kernels may rely on: set when the device has the `subgroups` feature, its
   * adapter reports one size (subgroupMinSize = subgroupMaxSize: 8 on lavapipe, 32 on NVIDIA), and
   * WebGpuOptions.subgroups is not false; null otherwise (kernels then use workgroup memory only).
   */
  readonly subgroupSize: number | null;
  /** How `read()` and `sync()` wait (see WebGpuOptions.wait), resolved from 'auto'. */
  readonly waitMode: 'poll' | 'sleep';
  /** The expected-execution-time estimate a `'sleep'` wait uses. */
  readonly waitEstimator = new WaitEstimator();
  /** The GPU (Dawn instance) this device came from, while the device lives (the Node host also holds it for the process's life). */
  instance: GPU | null = null;

  constructor(
    readonly gpu: GPUDevice,
    adapterName: string,
    private readonly owned: boolean,
    options: WebGpuOptions = {},
  ) {
    this.name = `webgpu (${adapterName})`;
    this.software = isSoftwareAdapterName(adapterName);
    this.features = new Set(gpu.features);
    this.limits = gpu.limits;
    this.maxDispatchesPerSubmit = options.maxDispatchesPerSubmit ?? 1024;
    const info = (gpu as GPUDevice & { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
    const sg = info?.subgroupMinSize;
    this.subgroupSize = options.subgroups !== false && this.features.has('subgroups') && sg !== undefined && sg > 0 && sg === info?.subgroupMaxSize ? sg : null;
    this.waitMode = resolveWaitMode(options);
    this.pool = new BufferPool(gpu, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.arena = new UniformArena(gpu);
    gpu.addEventListener('uncapturederror', (ev) => {
      const e = ev.error;
      this.errors.push(e.message);
    });
  }

  alloc(dtype: DType, size: number): Storage {
    this.checkAlive('alloc');
    if (dtype === 'f64') {
      throw new SaddleError('alloc', 'dtype f64 is supported on the CPU only; expected f32, i32 or u32 on webgpu');
    }
    const bytes = size * bytesPerElement(dtype);
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      // A RangeError: memory the device cannot give (allocate.ts makes it an AllocationError naming the op).
      throw new RangeError(
        `${size} elements of ${dtype} (${bytes} bytes) exceed this adapter's maxStorageBufferBindingSize (${this.limits.maxStorageBufferBindingSize})`,
      );
    }
    this.liveBytes += bytes;
    return Storage.gpu(this, this.pool.acquire(bytes), dtype, size);
  }

  upload(data: ArrayLike<number>, dtype: DType): Storage {
    const s = this.alloc(dtype, data.length);
    const typed = toTypedArray(dtype, data);
    if (typed.byteLength > 0) this.gpu.queue.writeBuffer(s.buffer!, 0, typed.buffer, typed.byteOffset, typed.byteLength);
    return s;
  }

  fill(dtype: DType, size: number, value: number): Storage {
    const s = this.alloc(dtype, size);
    if (size === 0) return s;
    if (value === 0) {
      this.commandEncoder().clearBuffer(s.buffer!, 0, roundUp(size * 4, 4));
    } else {
      const a = allocArray(dtype, size);
      a.fill(value);
      this.gpu.queue.writeBuffer(s.buffer!, 0, a.buffer, 0, a.byteLength);
    }
    return s;
  }

  /** Records one kernel launch into the shared encoder. */
  dispatch(spec: DispatchSpec): void {
    this.checkAlive(spec.label);
    const kernel = this.pipeline(spec.label, spec.code, spec.entryPoint ?? 'main');
    if (spec.buffers.length !== kernel.storageBindings) {
      throw new SaddleError(spec.label, `${spec.buffers.length} buffers given; the kernel declares ${kernel.storageBindings} storage bindings`);
    }
    if (!this.arena.fits(spec.params.byteLength)) this.flush();
    const slot = this.arena.push(spec.params);
    const buffers = spec.buffers.map((b, i) => {
      if (!(b instanceof Storage)) return b;
      if (b.released) throw new SaddleError(spec.label, `input ${i} was disposed before this dispatch`);
      return b.buffer!;
    });
    const bindGroup = this.bindGroup(spec.label, kernel, slot.size, buffers);
    const pass = this.computePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup, [slot.offset]);
    const [x, y = 1, z = 1] = spec.workgroups;
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new SaddleError(spec.label, `dispatch of [${x}, ${y}, ${z}] workgroups exceeds maxComputeWorkgroupsPerDimension (${max})`);
    }
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
    if (++this.recorded >= this.maxDispatchesPerSubmit) this.flush();
  }

  /**
   * A compiled kernel for `code`, from the cache or compiled now. Its bind group layout is read off
   * the WGSL: the params uniform at @binding(0) takes a dynamic offset (its slot in the arena), and
   * each `var<storage, read>` / `var<storage, read_write>` becomes a read-only or writable binding.
   */
  pipeline(label: string, code: string, entryPoint = 'main'): CompiledKernel {
    // Keyed by the source itself (plus the entry point when it is not 'main'): ops that memoize
    // their generated WGSL pass the same string each time, whose hash V8 has already cached.
    const key = entryPoint === 'main' ? code : `${entryPoint}\u0000${code}`;
    let k = this.pipelines.get(key);
    if (!k) {
      const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } }];
      for (const m of code.matchAll(/@binding\((\d+)\)\s*var<storage(?:\s*,\s*(read_write|read))?>/g)) {
        entries.push({
          binding: Number(m[1]),
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: m[2] === 'read_write' ? 'storage' : 'read-only-storage' },
        });
      }
      const layout = this.gpu.createBindGroupLayout({ label, entries });
      const module = this.gpu.createShaderModule({ label, code });
      const pipeline = this.gpu.createComputePipeline({
        label,
        layout: this.gpu.createPipelineLayout({ label, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint },
      });
      k = { id: this.pipelines.size + 1, pipeline, layout, storageBindings: entries.length - 1 };
      this.pipelines.set(key, k);
      this.counters.pipelines++;
    }
    return k;
  }

  /**
   * Bind groups are cached by (kernel, uniform size, buffers): a training loop reuses the same
   * pooled buffers every step, so after the first step nearly every dispatch finds its bind group
   * here instead of paying for createBindGroup (100 us on lavapipe). The cache is cleared when
   * pooled buffers are destroyed.
   */
  private bindGroup(label: string, kernel: CompiledKernel, uniformSize: number, buffers: GPUBuffer[]): GPUBindGroup {
    let key = `${kernel.id}:${uniformSize}`;
    for (const b of buffers) key += `:${this.bufferId(b)}`;
    let group = this.bindGroups.get(key);
    if (group) {
      // Refresh its place in the LRU order.
      this.bindGroups.delete(key);
    } else {
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.arena.buffer, offset: 0, size: uniformSize } }];
      buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
      group = this.gpu.createBindGroup({ label, layout: kernel.layout, entries });
      if (this.bindGroups.size >= BIND_GROUP_CACHE_SIZE) this.bindGroups.delete(this.bindGroups.keys().next().value!);
    }
    this.bindGroups.set(key, group);
    return group;
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) this.bufferIds.set(b, (id = this.nextBufferId++));
    return id;
  }

  /** Copies `count` elements of `storage` from element `offset` to the CPU; submits pending work first. */
  async read(storage: Storage, offset: number, count: number): Promise<TypedArray> {
    this.checkAlive('read');
    const bpe = bytesPerElement(storage.dtype);
    const bytes = count * bpe;
    const out = allocArray(storage.dtype, count);
    if (count === 0) return out;
    const size = BufferPool.sizeClass(bytes);
    const staging =
      this.readPool.get(size)?.pop() ?? this.gpu.createBuffer({ label: 'saddle readback', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.commandEncoder().copyBufferToBuffer(storage.buffer!, offset * bpe, staging, 0, bytes);
    const checks = this.stageChecks();
    this.flush();
    this.counters.readbacks++;
    await this.waitFor(() => Promise.all([staging.mapAsync(GPUMapMode.READ, 0, bytes), checks?.map()]));
    new Uint8Array(out.buffer).set(new Uint8Array(staging.getMappedRange(0, bytes)));
    staging.unmap();
    let list = this.readPool.get(size);
    if (!list) this.readPool.set(size, (list = []));
    list.push(staging);
    this.throwPendingErrors('read');
    checks?.report();
    return out;
  }

  /** Resolves when everything submitted so far has finished on the GPU. */
  async sync(): Promise<void> {
    const checks = this.stageChecks();
    this.flush();
    await this.waitFor(() => Promise.all([this.gpu.queue.onSubmittedWorkDone(), checks?.map()]));
    this.throwPendingErrors('sync');
    checks?.report();
  }

  /**
   * Waits for `start()`'s promise (a map or onSubmittedWorkDone, which resolves once the work
   * submitted so far is done): in 'sleep' mode, after sleeping through most of the work's expected
   * time; either way, feeding the measured time back into the estimate.
   */
  private async waitFor(start: () => Promise<unknown>): Promise<void> {
    const mark = this.waitEstimator.mark();
    if (this.waitMode === 'sleep') {
      const ms = this.waitEstimator.sleepMs(performance.now());
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    }
    await start();
    this.waitEstimator.finished(mark, performance.now());
  }

  free(storage: Storage): void {
    this.liveBytes -= storage.size * bytesPerElement(storage.dtype);
    if (!this.destroyed) this.pool.release(storage.buffer!);
  }

  /** Submits the recorded work (if any) and makes released buffers reusable. */
  flush(): void {
    if (this.destroyed) return;
    if (this.encoder) {
      if (this.pass) this.pass.end();
      this.arena.upload();
      this.gpu.queue.submit([this.encoder.finish()]);
      this.counters.submits++;
      this.waitEstimator.submitted(this.recorded, performance.now());
      this.watchEventLoop();
      this.encoder = null;
      this.pass = null;
      this.recorded = 0;
    }
    this.pool.afterSubmit();
  }

  /**
   * Dawn (in Node) releases finished command buffers from the event loop. A loop that submits
   * thousands of times without ever yielding (no `await` of a read, no timer) grows without bound
   * and eventually crashes inside Dawn, so warn once, naming the fix, when that is happening.
   */
  private watchEventLoop(): void {
    this.submitsSinceTick++;
    if (!this.tickPending) {
      this.tickPending = true;
      const reset = () => {
        this.tickPending = false;
        this.submitsSinceTick = 0;
      };
      if (typeof setImmediate === 'function') setImmediate(reset);
      else setTimeout(reset, 0);
    }
    if (this.submitsSinceTick === SUBMITS_WITHOUT_YIELD_WARNING && !this.warnedNoYield) {
      this.warnedNoYield = true;
      console.warn(
        `saddle: ${SUBMITS_WITHOUT_YIELD_WARNING} submits without the event loop turning; Dawn frees finished work only from the event loop. ` +
          'Let it turn now and then in long loops: await a read, await device.sync(), or await new Promise(setImmediate).',
      );
    }
  }

  memory(): DeviceMemory {
    const s = this.pool.stats();
    return { liveBytes: this.liveBytes, pooledBytes: s.pooledBytes, pooledBuffers: s.pooledBuffers, allocatedBytes: this.pool.allocatedBytes };
  }

  /** Gives pooled (free) buffers back to the driver. */
  trimPool(): void {
    this.flush();
    this.bindGroups.clear();
    this.pool.trim();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.flush();
    this.destroyed = true;
    this.bindGroups.clear();
    this.pool.trim();
    this.arena.destroy();
    for (const list of this.readPool.values()) for (const b of list) b.destroy();
    this.checkBuffer?.destroy();
    this.checks = [];
    if (this.owned) this.gpu.destroy();
    this.instance = null;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** The shared encoder with no compute pass open (for copies and clears). */
  commandEncoder(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    this.encoder ??= this.gpu.createCommandEncoder({ label: 'saddle batch' });
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.commandEncoder().beginComputePass({ label: 'saddle kernels' });
    return this.pass;
  }

  /**
   * A slot in the device's check buffer for the next dispatch: a kernel that finds a bad input
   * (an index out of range) cannot throw, so it writes 1 and the bad value into words 2·slot and
   * 2·slot + 1 of `buffer` (bound as `array<atomic<u32>>`). The next `read` or `sync` reads the
   * buffer with the result and throws `report(value)` for the first slot flagged, so the error
   * comes at the first wait on the device after the bad op, naming it. The slots are reused
   * after each read; past CHECK_SLOTS dispatches between reads, the last slot is shared (its
   * report is the latest op's).
   */
  checkSlot(report: (value: number) => SaddleError): { buffer: GPUBuffer; slot: number } {
    this.checkAlive('checkSlot');
    this.checkBuffer ??= this.gpu.createBuffer({
      label: 'saddle checks',
      size: CHECK_SLOTS * 8,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const slot = Math.min(this.checks.length, CHECK_SLOTS - 1);
    this.checks[slot] = report;
    return { buffer: this.checkBuffer, slot };
  }

  /**
   * When checks are pending: copies the check buffer into a staging buffer and clears it (in the
   * shared encoder, after the work that wrote it), and returns how to map the copy and report.
   */
  private stageChecks(): { map: () => Promise<void>; report: () => void } | null {
    if (this.checks.length === 0) return null;
    const reports = this.checks.splice(0);
    const bytes = reports.length * 8;
    const staging = this.gpu.createBuffer({ label: 'saddle checks readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.commandEncoder();
    encoder.copyBufferToBuffer(this.checkBuffer!, 0, staging, 0, bytes);
    encoder.clearBuffer(this.checkBuffer!, 0, bytes);
    return {
      map: () => staging.mapAsync(GPUMapMode.READ, 0, bytes),
      report: () => {
        const words = new Uint32Array(staging.getMappedRange(0, bytes).slice(0));
        staging.unmap();
        staging.destroy();
        const k = reports.findIndex((_, i) => words[2 * i] !== 0);
        if (k >= 0) throw reports[k]!(words[2 * k + 1]! | 0);
      },
    };
  }

  private throwPendingErrors(op: string): void {
    if (this.errors.length === 0) return;
    const msgs = this.errors.splice(0);
    throw new SaddleError(op, `the WebGPU device reported ${msgs.length} error(s): ${msgs.join(' | ')}`);
  }

  private checkAlive(op: string): void {
    if (this.destroyed) throw new SaddleError(op, `device ${this.name} has been destroyed`);
  }
}

/** Dispatches that can flag a bad input between two reads before they share the last slot. */
const CHECK_SLOTS = 64;

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/** Limits the library asks for above the defaults, where the adapter has more. */
export const WANTED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Optional features the library asks for when the adapter has them. */
export const WANTED_FEATURES: GPUFeatureName[] = ['subgroups', 'timestamp-query', 'shader-f16', 'chromium-experimental-subgroup-matrix' as GPUFeatureName];

/** Creates a WebGPU device (or wraps the caller's). Throws a SaddleError if no adapter is found. */
export async function createWebGpuDevice(options: WebGpuOptions = {}): Promise<WebGpuDevice> {
  // Checked before a GPUDevice exists, so a bad option leaks none (the constructor checks again).
  resolveWaitMode(options);
  if (options.device) {
    return new WebGpuDevice(options.device, options.device.label || 'caller device', false, options);
  }
  // Dawn's GPU object must stay referenced while the device is in use (it drives the event loop
  // that resolves mapAsync). The host gives one per process and keeps it (see host/node.ts); the
  // device holds it too, so a GPU from another host is not collected while the device runs.
  const gpu = await host().gpu();
  if (!gpu) throw new SaddleError('webgpu', `this ${host().name} has no WebGPU (navigator.gpu is missing; ${host().noAdapterAdvice})`);
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new SaddleError('webgpu', `no WebGPU adapter was found (${host().noAdapterAdvice})`);
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'saddle' });
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'adapter';
  const d = new WebGpuDevice(device, name, true, options);
  d.instance = gpu;
  return d;
}
