/**
 * Split-K on wasm: none. The wasm matmul (kernels-wasm's assembly/matmul/matmul.ts, launched by
 * matmul.wasm.ts) never splits K: its threads take whole macro tiles of C from a shared counter,
 * and a product with few tiles gets smaller ones (chooseWasmMatmulTiles) rather than parts of K,
 * so each output is summed over all of K in one order whatever the threads and the tiling. There
 * is therefore no wasm reduction of K parts: split-k.webgpu.ts records WebGPU's, split-k.cpu.ts is
 * its CPU twin.
 */
export {};
