/**
 * The compiled WebAssembly SIMD kernels the `wasm` device runs, and how the module is loaded.
 *
 * @module @saddle/kernels-wasm
 */
// The Node entry of @saddle/kernels-wasm (package.json `exports`, "node" condition): ./index.ts,
// reading build/kernels.wasm from disk with node:fs (a browser fetches it instead).
//
// It also turns on relaxed SIMD in Node 20, where V8 has it behind a flag (Node 22+ has it on by
// default): V8 reads the flag when a module is validated or compiled, so setting it here, before
// anything compiles the kernels, is enough; worker threads share the process's flags.
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { setFileReader } from './index.js';

if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');

setFileReader(async (url) => new Uint8Array(await readFile(url)));

export * from './index.js';
