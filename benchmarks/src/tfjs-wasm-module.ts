/**
 * Loads tfjs's wasm backend (a dependency of the benchmarks package, which the GPU host bundle leaves
 * out: gpu-entry.ts does not import this file). `pnpm bench` and the bench tests pass it to loadTfjs.
 */
import type { WasmModule } from './runners.js';

export const loadTfjsWasm = (): Promise<WasmModule> => import('@tensorflow/tfjs-backend-wasm');
