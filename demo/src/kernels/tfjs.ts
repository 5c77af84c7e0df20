/**
 * tfjs for the kernel reader's peers, loaded on the first timing (seconds of script): tfjs-core
 * once, with its WebGPU backend on saddle's own GPUDevice (same adapter, same queue) and its wasm
 * backend (XNNPACK, SIMD, threads where the page is cross-origin isolated), whose .wasm files vite
 * serves from the package (`?url`).
 *
 * In the static build tfjs-wasm runs on one thread: its threaded module starts its workers from the
 * text of its factory function (`Function.prototype.toString`), which minification leaves calling
 * names defined outside it ("e is not defined" in every worker, and setBackend never resolves). The
 * dev server does not minify and gets the threads. `TFJS_WASM_THREADS` says which, for the page;
 * it goes by the mode ('production' for a build), not by `import.meta.env.PROD`, which follows
 * NODE_ENV (a build started by the test runner, NODE_ENV=test, is minified all the same). A backend
 * that still does not start fails after START_MS rather than leaving the timing waiting.
 */
import type { WebGpuDevice } from '@saddle/autograd';
import type * as TF from '@tensorflow/tfjs-core';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

let core: Promise<typeof TF> | null = null;
let webgpu: Promise<typeof TF> | null = null;
let wasm: Promise<typeof TF> | null = null;

/** Whether the first timing on this backend is still to load it (for the status line). */
export const tfLoaded = (backend: 'webgpu' | 'wasm') => (backend === 'webgpu' ? webgpu : wasm) !== null;

function loadCore(): Promise<typeof TF> {
  core ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    // tfjs-core registers no gradients by itself (the union package does): the fwd+bwd cases need them.
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    if (!tf.getGradient('Max')) throw new Error("tfjs: the gradient functions did not register (tf.getGradient('Max') is undefined)");
    tf.env().set('PROD', true);
    return tf;
  })();
  return core;
}

/** tfjs with its WebGPU backend on saddle's GPUDevice. */
export function tfWebGpu(device: WebGpuDevice): Promise<typeof TF> {
  webgpu ??= (async () => {
    const tf = await loadCore();
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    const info = (device.gpu as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device.gpu, info), 3);
    if (!(await tf.setBackend('webgpu'))) throw new Error("tfjs: the webgpu backend failed to initialise on saddle's GPUDevice");
    return tf;
  })();
  return webgpu;
}

/** Whether tfjs-wasm may start threads here (see the header). */
export const TFJS_WASM_THREADS = import.meta.env.MODE !== 'production';
const START_MS = 60_000;

/** tfjs with its wasm backend (importing the package registers it). */
export function tfWasm(): Promise<typeof TF> {
  wasm ??= (async () => {
    const tf = await loadCore();
    const backend = await import('@tensorflow/tfjs-backend-wasm');
    // The flag is registered by the import, and read when the backend starts.
    if (!TFJS_WASM_THREADS) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    backend.setWasmPaths({
      'tfjs-backend-wasm.wasm': plainWasm,
      'tfjs-backend-wasm-simd.wasm': simdWasm,
      'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm,
    });
    const started = await Promise.race([tf.setBackend('wasm'), new Promise<'late'>((r) => setTimeout(() => r('late'), START_MS))]);
    if (started === 'late') throw new Error(`tfjs: the wasm backend did not start in ${START_MS / 1000} s`);
    if (!started) throw new Error('tfjs: the wasm backend failed to initialise');
    return tf;
  })();
  return wasm;
}
