/**
 * What @saddle/benchmarks exports: the browser-safe part the demo's kernel reader times with, so
 * the page measures exactly as `pnpm bench` does. The harness (first call, calibrated iterations,
 * warm-up, timed reps interleaved between runners), the op cases and their shapes (matmul, maxout,
 * sigmoid-BCE, convolutions), the readers that join a case's outputs, the roofline probes and the
 * ladder timing, and the saddle / tfjs runner kinds. The Node-only parts (the CLI, the torch
 * runner, the GAN iteration bench and profiles, the GPU host's command) are not exported: they run
 * from their own files (package.json scripts, `pnpm bench`).
 */
export * from './harness.js';
export * from './benches/common.js';
export * from './benches/matmul.js';
export * from './benches/maxout.js';
export * from './benches/bce.js';
export * from './benches/conv.js';
export * from './roofline.js';
export * from './runner-kinds.js';
