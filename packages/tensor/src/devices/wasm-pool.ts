/**
 * The thread pool of the wasm device: `threads - 1` workers, each with its own instance of the
 * kernel module on the device's one shared WebAssembly.Memory, plus the calling thread.
 *
 * A job is handed over through a control block in that memory, never by postMessage (a message
 * costs tens of microseconds, more than a 256^3 product). A parallel job is cut into `units`
 * virtual threads (4 per real thread): the kernel is called once per unit with (tid = unit,
 * nthreads = units) and splits its work by those, as if there were that many threads. Real
 * threads claim units one at a time from a shared counter (compare-and-swap), the calling thread
 * too, so a worker that the OS has not scheduled yet simply claims nothing: the calling thread
 * never waits for a sleeping worker to start, only for units that are being computed. (On a
 * loaded machine a static split made every op wait for the slowest wake-up.)
 *
 *   i32 [0] GEN      bumped for each job; idle workers sleep on it (Atomics.wait)
 *   i32 [1] CLAIM    units << 16 | next unclaimed unit (one word, so a worker never pairs a
 *                    counter with another job's unit count)
 *   i32 [2] ACTIVE   workers inside a job (the caller waits for 0 before it returns)
 *   i32 [3] KERNEL   index of the export to call (in the sorted list of the module's exports)
 *   i32 [4] ARGC     number of arguments
 *   i32 [5] (unused)
 *   i32 [6] STOP     set by destroy(): workers leave their loop
 *   i32 [7] FAILED   1 + the unit whose kernel threw on a worker (0: none)
 *   f64 args[32]     at byte 64: the arguments (i32 and f32 values are exact in f64)
 *   i32 dims[256]    at byte 320: per-job scratch (shapes, strides) that kernels read by pointer
 *
 * The job fields are written before CLAIM is stored (Atomics: a worker that sees the new CLAIM
 * sees them too), and not rewritten until every unit is claimed and ACTIVE is 0. Workers spin
 * on CLAIM briefly after a job (the next op usually follows within microseconds), then sleep.
 *
 * Workers come from an inline source string, so the pool works unchanged under tsx, vitest and
 * bundlers: worker_threads with `eval: true` in Node, a Blob-URL Web Worker in a browser page that
 * is cross-origin isolated (elsewhere SharedArrayBuffer is missing and the pool has one thread).
 * Node workers are unref()'d, so an idle pool never keeps a process alive.
 */

import type { WasmKernelArgs, WasmKernelName } from '@saddle/kernels-wasm';
import { host, type HostWorker } from '../host/host.js';

export const CONTROL_BYTES = 2048;
const GEN = 0,
  CLAIM = 1,
  ACTIVE = 2,
  KERNEL = 3,
  ARGC = 4,
  STOP = 6,
  FAILED = 7;
const ARGS_AT = 64;
const MAX_ARGS = 32;
export const DIMS_AT = 320;
export const MAX_DIMS = 256;
/** Units (virtual threads) per real thread in a parallel job. */
const UNITS_PER_THREAD = 4;
const MAX_UNITS = 0x7fff;
/** Atomics.load polls before sleeping (a few microseconds). */
const SPIN = 4000;

/** The worker's program, as source text (see the header). `start(data, post)` runs in the worker. */
const WORKER_SOURCE = `
function start(data, post) {
  const { module, memory, control } = data;
  const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } });
  const fns = data.names.map((n) => instance.exports[n]);
  const h = new Int32Array(memory.buffer, control, 16);
  const args = new Float64Array(memory.buffer, control + ${ARGS_AT}, ${MAX_ARGS});
  post('ready');
  for (;;) {
    const seen = Atomics.load(h, ${GEN});
    if (Atomics.load(h, ${STOP})) return;
    Atomics.add(h, ${ACTIVE}, 1);
    for (;;) {
      const c = Atomics.load(h, ${CLAIM});
      const units = c >>> 16;
      const unit = c & 0xffff;
      if (unit >= units) break;
      if (Atomics.compareExchange(h, ${CLAIM}, c, c + 1) !== c) continue;
      try {
        fns[h[${KERNEL}]](...args.subarray(0, h[${ARGC}]), unit, units);
      } catch (e) {
        Atomics.store(h, ${FAILED}, unit + 1);
      }
    }
    Atomics.sub(h, ${ACTIVE}, 1);
    Atomics.notify(h, ${ACTIVE});
    for (let i = 0; i < ${SPIN} && Atomics.load(h, ${GEN}) === seen; i++);
    Atomics.wait(h, ${GEN}, seen);
  }
}
if (typeof self !== 'undefined' && typeof self.postMessage === 'function' && typeof require === 'undefined') {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
} else {
  const { parentPort } = require('node:worker_threads');
  parentPort.once('message', (data) => start(data, (m) => parentPort.postMessage(m)));
}
`;

type PoolWorker = HostWorker;

export class ThreadPool {
  private header!: Int32Array;
  private args!: Float64Array;
  private dims!: Int32Array;
  private readonly byName = new Map<string, number>();
  private readonly fns: ((...a: number[]) => void)[];
  /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
  private canWait = true;
  private dimsUsed = 0;

  private constructor(
    readonly instance: WebAssembly.Instance,
    readonly memory: WebAssembly.Memory,
    /** Byte address of the control block. */
    readonly control: number,
    /** Names of the module's exported functions, sorted: a kernel's index is its place here. */
    readonly names: readonly string[],
    private readonly workers: PoolWorker[],
  ) {
    this.mapViews();
    names.forEach((n, i) => this.byName.set(n, i));
    const exports = instance.exports as Record<string, (...a: number[]) => void>;
    this.fns = names.map((n) => exports[n]!);
  }

  /** Starts `threads - 1` workers on `module` and `memory`, the control block at byte `control`. */
  static async create(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    instance: WebAssembly.Instance,
    control: number,
    threads: number,
  ): Promise<ThreadPool> {
    const names = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name)
      .sort();
    const workers: PoolWorker[] = [];
    const started: Promise<void>[] = [];
    try {
      for (let tid = 1; tid < threads; tid++) started.push(startWorker({ module, memory, control, names }, workers));
      await Promise.all(started);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
    return new ThreadPool(instance, memory, control, names, workers);
  }

  /** (Re)creates the views of the control block: a memory that is not shared detaches them when it grows. */
  private mapViews(): void {
    const buf = this.memory.buffer;
    this.header = new Int32Array(buf, this.control, 16);
    this.args = new Float64Array(buf, this.control + ARGS_AT, MAX_ARGS);
    this.dims = new Int32Array(buf, this.control + DIMS_AT, MAX_DIMS);
  }

  /** Units (virtual threads: `nthreads` as the kernel sees it) of a parallel job; 1 without workers. */
  get units(): number {
    return this.workers.length === 0 ? 1 : Math.min(MAX_UNITS, this.threads * UNITS_PER_THREAD);
  }

  /** Threads a job can use: the workers and the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Whether the module exports `name`. */
  has(name: WasmKernelName): boolean {
    return this.byName.has(name);
  }

  /**
   * Copies integers (shapes, strides) into this job's scratch area and returns their byte
   * address, for a kernel argument. Valid until the next run().
   */
  ints(values: ArrayLike<number>): number {
    if (this.dimsUsed + values.length > MAX_DIMS) throw new RangeError(`wasm pool: more than ${MAX_DIMS} scratch integers in one job`);
    if (this.dims.length === 0) this.mapViews();
    const at = this.dimsUsed;
    for (let i = 0; i < values.length; i++) this.dims[at + i] = values[i]!;
    this.dimsUsed += values.length;
    return this.control + DIMS_AT + at * 4;
  }

  /**
   * Runs export `name` with `args` then (tid, nthreads): on this thread alone as (0, 1) unless
   * `parallel`, else as units (virtual threads) shared with the workers. Returns when every unit
   * has finished.
   */
  run<K extends WasmKernelName>(name: K, args: WasmKernelArgs<K>, parallel: boolean): void {
    const kernel = this.byName.get(name);
    this.dimsUsed = 0;
    if (kernel === undefined) throw new Error(`wasm pool: the kernel module has no export ${name}; rebuild it (pnpm --filter @saddle/kernels-wasm build:wasm)`);
    const fn = this.fns[kernel]!;
    if (!parallel || this.workers.length === 0) {
      fn(...args, 0, 1);
      return;
    }
    if (args.length > MAX_ARGS) throw new RangeError(`wasm pool: ${args.length} arguments; at most ${MAX_ARGS}`);
    const h = this.header;
    const units = this.units;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i]!;
    h[KERNEL] = kernel;
    h[ARGC] = args.length;
    Atomics.store(h, FAILED, 0);
    Atomics.store(h, CLAIM, units << 16);
    Atomics.add(h, GEN, 1);
    Atomics.notify(h, GEN);
    let mine: unknown = null;
    for (;;) {
      const c = Atomics.load(h, CLAIM);
      const unit = c & 0xffff;
      if (unit >= units) break;
      if (Atomics.compareExchange(h, CLAIM, c, c + 1) !== c) continue;
      try {
        fn(...args, unit, units);
      } catch (e) {
        mine ??= e;
      }
    }
    this.waitForWorkers();
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what this thread's kernel threw, as it was thrown
    if (mine) throw mine;
    const failed = Atomics.load(h, FAILED);
    if (failed) throw new Error(`wasm kernel ${name} failed on a worker (unit ${failed - 1} of ${units})`);
  }

  /** Waits until no worker is inside the job (all units are claimed by now). */
  private waitForWorkers(): void {
    const h = this.header;
    for (let i = 0; i < SPIN; i++) if (Atomics.load(h, ACTIVE) === 0) return;
    for (;;) {
      const active = Atomics.load(h, ACTIVE);
      if (active === 0) return;
      if (this.canWait) {
        try {
          Atomics.wait(h, ACTIVE, active, 100);
        } catch {
          this.canWait = false; // a browser's main thread may not block: keep polling
        }
      }
    }
  }

  /** Stops and terminates the workers. */
  destroy(): void {
    Atomics.store(this.header, STOP, 1);
    Atomics.add(this.header, GEN, 1);
    Atomics.notify(this.header, GEN);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}

/** Starts one worker on the inline source (through the host: Node's worker_threads or a Web Worker). */
async function startWorker(data: object, workers: PoolWorker[]): Promise<void> {
  workers.push(await host().startWorker(WORKER_SOURCE, data));
}
