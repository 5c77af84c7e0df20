/**
 * Node's host (see ./host.ts): Dawn from the `webgpu` npm package (an optional peer dependency:
 * loaded only when a WebGPU device is asked for; without it, a SaddleError that says what to
 * install) when the global scope has no navigator.gpu, its start-up warnings silenced unless
 * SADDLE_VERBOSE is set; node:worker_threads (unref()'d, so an idle pool never keeps a process
 * alive), node:os for the core count, stderr for notices. Only src/index.node.ts imports this module.
 */
import { closeSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SaddleError } from '../errors.js';
import type { Host } from './host.js';

type Dawn = { create: (flags: string[]) => GPU; globals: Record<string, unknown> };

/** The `webgpu` package, or a SaddleError naming it when it is not installed. */
async function loadDawn(): Promise<Dawn> {
  try {
    return (await import('webgpu')) as Dawn;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const missing = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((e as Error).message).includes("'webgpu'");
    if (missing) {
      throw new SaddleError(
        'webgpu',
        "WebGPU in Node needs the optional package 'webgpu' (Dawn), which is not installed; expected `npm install webgpu@^0.6.2` (the cpu and wasm devices need nothing more)",
      );
    }
    throw new SaddleError('webgpu', `the 'webgpu' package (Dawn) failed to load: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Runs `fn` (synchronous) with file descriptor 2 pointed at /dev/null, then points it back. Dawn
 * prints warnings from native code with fprintf(stderr) while it enumerates adapters, inside the
 * first `requestAdapter()` call (on lavapipe: "Warning: maxDynamicUniformBuffersPerPipelineLayout
 * artificially reduced ..."), which no JavaScript API can filter. Node has no dup2, so: open the
 * current stderr again through /proc/self/fd/2, close fd 2, open /dev/null (the lowest free
 * descriptor: 2 again), run, close it, and reopen the saved one (2 again). Linux only; when
 * stderr cannot be reopened (a Unix socket, as Node gives a child's piped stdio; no /proc), `fn`
 * runs with stderr untouched.
 */
function withNativeStderrSilenced<T>(fn: () => T): T {
  if (process.platform !== 'linux') return fn();
  let saved: number;
  try {
    saved = openSync('/proc/self/fd/2', 'a');
  } catch {
    return fn();
  }
  let silenced = false;
  try {
    closeSync(2);
    const nul = openSync('/dev/null', 'w');
    silenced = nul === 2;
    if (!silenced) closeSync(nul);
    return fn();
  } finally {
    if (silenced) closeSync(2);
    openSync(`/proc/self/fd/${saved}`, 'a'); // the lowest free descriptor: 2
    closeSync(saved);
  }
}

/** Whether the user asked for Dawn's own start-up messages (`SADDLE_VERBOSE=1`). */
const verbose = () => !!process.env.SADDLE_VERBOSE && process.env.SADDLE_VERBOSE !== '0';

let adapterRequested = false;

/** Dawn's GPU with its first `requestAdapter` quiet unless verbose (see withNativeStderrSilenced). */
function quietGpu(gpu: GPU): GPU {
  const requestAdapter = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = (options?: GPURequestAdapterOptions) => {
    if (adapterRequested || verbose()) return requestAdapter(options);
    adapterRequested = true;
    return withNativeStderrSilenced(() => requestAdapter(options));
  };
  return gpu;
}

/**
 * One Dawn instance for the process, like a browser's `navigator.gpu`, and never dropped. Dawn goes
 * on polling an instance from the event loop after the devices on it are destroyed; when a
 * dropped instance was garbage-collected, that poll touched freed memory and killed the process
 * (glibc "The futex facility returned an unexpected error code", or std::system_error), at random.
 * A held instance does not keep Node from exiting.
 */
let dawnGpu: Promise<GPU> | null = null;

/** Node's host: Dawn from the optional `webgpu` package, `node:worker_threads`, `node:os`, stderr. */
export const nodeHost: Host = {
  name: 'node',
  async gpu() {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (nav?.gpu) return nav.gpu;
    dawnGpu ??= loadDawn().then((mod) => {
      Object.assign(globalThis, mod.globals);
      return quietGpu(mod.create([]));
    });
    return dawnGpu;
  },
  cores() {
    return availableParallelism();
  },
  async startWorker(source, data) {
    const w = new Worker(source, { eval: true });
    w.unref();
    try {
      await new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
        w.postMessage(data);
      });
    } catch (e) {
      await w.terminate();
      throw e;
    }
    return w;
  },
  notice(message) {
    process.stderr.write(`saddle: ${message}\n`);
  },
  noAdapterAdvice: 'on Linux: libvulkan1 and a Vulkan driver, e.g. Mesa lavapipe',
};
