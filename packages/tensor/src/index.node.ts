/**
 * Tensors (shape, strides, dtype) and the devices they live on: `cpu`, `wasm` (WebAssembly SIMD),
 * `webgpu`, and `auto`. Creation, scopes (`tidy`), memory accounting, printing.
 *
 * @module @saddle/tensor
 */
// The Node entry of @saddle/tensor (package.json `exports`, "node" condition): the library of
// ./index.ts with Node's host installed (Dawn, worker_threads, node:os; see ./host/node.ts).
import { setHost } from './host/host.js';
import { nodeHost } from './host/node.js';

setHost(nodeHost);

export * from './index.js';
export { nodeHost } from './host/node.js';
