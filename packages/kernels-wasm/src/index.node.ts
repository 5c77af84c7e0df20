/**
 * The compiled WebAssembly SIMD kernels the `wasm` device runs, and how the module is loaded.
 *
 * @module @saddle/kernels-wasm
 */
// The Node entry of @saddle/kernels-wasm (package.json `exports`, "node" condition): ./index.ts,
// reading build/kernels.wasm from disk with node:fs (a browser fetches it instead).
import { readFile } from 'node:fs/promises';
import { setFileReader } from './index.js';

setFileReader(async (url) => new Uint8Array(await readFile(url)));

export * from './index.js';
