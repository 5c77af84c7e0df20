/**
 * Node's host (see ./host.ts): Dawn from the `webgpu` npm package when the global scope has no
 * navigator.gpu, node:worker_threads (unref()'d, so an idle pool never keeps a process alive),
 * node:os for the core count, stderr for notices. Only src/index.node.ts imports this module.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Host } from './host.js';

export const nodeHost: Host = {
  name: 'node',
  async gpu() {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (nav?.gpu) return nav.gpu;
    const mod = (await import('webgpu')) as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
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
  noAdapterAdvice: 'on Linux: libvulkan1 and a Vulkan driver, e.g. Mesa lavapipe',
};
