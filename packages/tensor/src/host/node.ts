/**
 * Node's host (see ./host.ts): Dawn from the `webgpu` npm package (an optional peer dependency:
 * loaded only when a WebGPU device is asked for; without it, a SaddleError that says what to
 * install) when the global scope has no navigator.gpu, node:worker_threads (unref()'d, so an idle pool never keeps a process alive),
 * node:os for the core count, stderr for notices. Only src/index.node.ts imports this module.
 */
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

export const nodeHost: Host = {
  name: 'node',
  async gpu() {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (nav?.gpu) return nav.gpu;
    const mod = await loadDawn();
    Object.assign(globalThis, mod.globals);
    return mod.create([]);
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
};
