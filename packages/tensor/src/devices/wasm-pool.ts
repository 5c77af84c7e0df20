/**
 * The thread pool of the wasm device: `threads - 1` workers, each with its own instance of the
 * kernel module on the device's one shared WebAssembly.Memory, plus the calling thread (tid 0).
 *
 * A job is handed over through a control block in that memory, never by postMessage (a message
 * costs tens of microseconds, more than a 256^3 product):
 *
 *   i32 [0] GEN      bumped by the caller for each job; workers sleep on it (Atomics.wait)
 *   i32 [1] DONE     workers that finished the current job
 *   i32 [2] KERNEL   index of the export to call (in the sorted list of the module's exports)
 *   i32 [3] ARGC     number of arguments
 *   i32 [4] THREADS  thread count of the job
 *   i32 [5] STOP     set by destroy(): workers leave their loop
 *   i32 [6] FAILED   1 + tid of a worker whose kernel threw (0: none)
 *   f64 args[32]     at byte 64: the arguments (i32 and f32 values are exact in f64)
 *   i32 dims[256]    at byte 320: per-job scratch (shapes, strides) that kernels read by pointer
 *
 * run(): write the job, reset DONE, bump GEN, Atomics.notify the workers, run share 0 on this
 * thread, then wait for DONE to reach the worker count. Workers spin briefly on GEN after a job
 * (the next op usually follows within microseconds) before they sleep.
 *
 * Workers come from an inline source string, so the pool works unchanged under tsx, vitest and
 * bundlers: worker_threads with `eval: true` in Node, a Blob-URL Web Worker in a browser page that
 * is cross-origin isolated (elsewhere SharedArrayBuffer is missing and the pool has one thread).
 * Node workers are unref()'d, so an idle pool never keeps a process alive.
 */

import { host, type HostWorker } from '../host/host.js';

export const CONTROL_BYTES = 2048;
const GEN = 0, DONE = 1, KERNEL = 2, ARGC = 3, THREADS = 4, STOP = 5, FAILED = 6;
const ARGS_AT = 64;
const MAX_ARGS = 32;
export const DIMS_AT = 320;
export const MAX_DIMS = 256;

/** The worker's program, as source text (see the header). `start(data, post)` runs in the worker. */
const WORKER_SOURCE = `
function start(data, post) {
  const { module, memory, control, tid, names, spin } = data;
  const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } });
  const fns = names.map((n) => instance.exports[n]);
  const h = new Int32Array(memory.buffer, control, 16);
  const args = new Float64Array(memory.buffer, control + ${ARGS_AT}, ${MAX_ARGS});
  let gen = Atomics.load(h, ${GEN});
  post('ready');
  for (;;) {
    let g = Atomics.load(h, ${GEN});
    for (let i = 0; g === gen && i < spin; i++) g = Atomics.load(h, ${GEN});
    if (g === gen) { Atomics.wait(h, ${GEN}, gen); continue; }
    gen = g;
    if (Atomics.load(h, ${STOP})) return;
    const nt = h[${THREADS}];
    if (tid < nt) {
      try {
        fns[h[${KERNEL}]](...args.subarray(0, h[${ARGC}]), tid, nt);
      } catch (e) {
        Atomics.store(h, ${FAILED}, tid + 1);
      }
    }
    Atomics.add(h, ${DONE}, 1);
    Atomics.notify(h, ${DONE});
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
  private readonly header: Int32Array;
  private readonly args: Float64Array;
  private readonly dims: Int32Array;
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
    this.header = new Int32Array(memory.buffer, control, 16);
    this.args = new Float64Array(memory.buffer, control + ARGS_AT, MAX_ARGS);
    this.dims = new Int32Array(memory.buffer, control + DIMS_AT, MAX_DIMS);
    names.forEach((n, i) => this.byName.set(n, i));
    const exports = instance.exports as Record<string, (...a: number[]) => void>;
    this.fns = names.map((n) => exports[n]!);
  }

  /** Starts `threads - 1` workers on `module` and `memory`, the control block at byte `control`. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, instance: WebAssembly.Instance, control: number, threads: number): Promise<ThreadPool> {
    const names = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name)
      .sort();
    const workers: PoolWorker[] = [];
    const spin = 20_000;
    const started: Promise<void>[] = [];
    try {
      for (let tid = 1; tid < threads; tid++) {
        const data = { module, memory, control, tid, names, spin };
        started.push(startWorker(data, workers));
      }
      await Promise.all(started);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
    return new ThreadPool(instance, memory, control, names, workers);
  }

  /** Threads a job can use: the workers and the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Whether the module exports `name`. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * Copies integers (shapes, strides) into this job's scratch area and returns their byte
   * address, for a kernel argument. Valid until the next run().
   */
  ints(values: ArrayLike<number>): number {
    if (this.dimsUsed + values.length > MAX_DIMS) throw new RangeError(`wasm pool: more than ${MAX_DIMS} scratch integers in one job`);
    const at = this.dimsUsed;
    for (let i = 0; i < values.length; i++) this.dims[at + i] = values[i]!;
    this.dimsUsed += values.length;
    return this.control + DIMS_AT + at * 4;
  }

  /**
   * Runs export `name` with `args` then (tid, nthreads) on `threads` threads (1: this thread
   * alone), and returns when every thread has finished.
   */
  run(name: string, args: readonly number[], threads: number): void {
    const kernel = this.byName.get(name);
    this.dimsUsed = 0;
    if (kernel === undefined) throw new Error(`wasm pool: the kernel module has no export ${name}; rebuild it (pnpm --filter @saddle/kernels-wasm build:wasm)`);
    const fn = this.fns[kernel]!;
    if (threads <= 1 || this.workers.length === 0) {
      fn(...args, 0, 1);
      return;
    }
    if (args.length > MAX_ARGS) throw new RangeError(`wasm pool: ${args.length} arguments; at most ${MAX_ARGS}`);
    const h = this.header;
    const nt = this.workers.length + 1;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i]!;
    h[KERNEL] = kernel;
    h[ARGC] = args.length;
    h[THREADS] = nt;
    Atomics.store(h, FAILED, 0);
    Atomics.store(h, DONE, 0);
    Atomics.add(h, GEN, 1);
    Atomics.notify(h, GEN);
    let mine: unknown = null;
    try {
      fn(...args, 0, nt);
    } catch (e) {
      mine = e;
    }
    this.waitForWorkers();
    if (mine) throw mine;
    const failed = Atomics.load(h, FAILED);
    if (failed) throw new Error(`wasm kernel ${name} failed on worker ${failed - 1}`);
  }

  private waitForWorkers(): void {
    const h = this.header;
    const want = this.workers.length;
    for (let i = 0; i < 1_000_000; i++) if (Atomics.load(h, DONE) >= want) return;
    for (;;) {
      const done = Atomics.load(h, DONE);
      if (done >= want) return;
      if (this.canWait) {
        try {
          Atomics.wait(h, DONE, done, 100);
          continue;
        } catch {
          this.canWait = false; // a browser's main thread may not block: keep spinning
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
