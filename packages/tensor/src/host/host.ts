/**
 * What saddle needs from the JavaScript host that a browser page and Node provide differently:
 * a WebGPU implementation, worker threads, the core count, a place for notices.
 *
 * The defaults here are a browser page's (navigator.gpu, Blob-URL Web Workers,
 * navigator.hardwareConcurrency, console.warn) and import nothing, so the package's main entry
 * (src/index.ts) bundles for a browser with no special flags. Node's host (./node.ts: Dawn from the
 * `webgpu` package, node:worker_threads, node:os) is installed by the package's Node entry
 * (src/index.node.ts), which package.json's `exports` picks under the "node" condition.
 */

/** A started worker: what the wasm device's thread pool keeps of it. */
export interface HostWorker {
  /** Stops the worker. */
  terminate(): unknown;
}

/** What saddle needs from the JavaScript host: WebGPU, workers, core count, notices. */
export interface Host {
  /** 'browser' or 'node', for messages. */
  readonly name: string;
  /** The WebGPU entry point, or null when this host has none. */
  gpu(): Promise<GPU | null>;
  /** Threads the wasm device uses by default (1 where workers cannot share memory). */
  cores(): number;
  /**
   * Starts a worker on `source` (a script whose last lines wire its first message to
   * `start(data, post)`), posts `data`, and resolves once the worker has answered.
   */
  startWorker(source: string, data: object): Promise<HostWorker>;
  /** A one-line notice for the user (what `auto` chose and why). */
  notice(message: string): void;
  /** What to do when this host finds no WebGPU adapter, in the user's terms (a page's reader is not at a shell). */
  readonly noAdapterAdvice: string;
}

/** A browser page (or a worker): the page's own WebGPU, Web Workers, console. */
export const browserHost: Host = {
  name: 'browser',
  async gpu() {
    return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? null;
  },
  cores() {
    // Without cross-origin isolation there is no SharedArrayBuffer to share with workers.
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    return isolated ? Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1) : 1;
  },
  async startWorker(source, data) {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const w = new Worker(url);
    try {
      await new Promise<void>((resolve, reject) => {
        w.onmessage = () => resolve();
        w.onerror = (e) => reject(new Error(`wasm worker failed to start: ${e.message}`));
        w.postMessage(data);
      });
      return w;
    } catch (e) {
      w.terminate();
      throw e;
    } finally {
      URL.revokeObjectURL(url);
    }
  },
  notice(message) {
    console.warn(`saddle: ${message}`);
  },
  noAdapterAdvice:
    'WebGPU may be turned off in this browser or its GPU blocklisted: see chrome://gpu (Chromium) or about:support (Firefox); a browser with WebGPU enabled uses the GPU',
};

let current: Host = browserHost;

/** The host saddle runs on (the browser's unless the Node entry installed Node's). */
export function host(): Host {
  return current;
}

/** Installs a host; the Node entry calls this with Node's. Returns the previous one. */
export function setHost(h: Host): Host {
  const previous = current;
  current = h;
  return previous;
}
