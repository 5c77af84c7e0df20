import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run in Node: the packages' Node entries (src/index.node.ts) where a package has one.
const pkg = (name: string, entry = 'index') => fileURLToPath(new URL(`./packages/${name}/src/${entry}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@saddle/tensor': pkg('tensor', 'index.node'),
      '@saddle/ops': pkg('ops'),
      '@saddle/kernels-wasm': pkg('kernels-wasm', 'index.node'),
      '@saddle/autograd': pkg('autograd'),
      '@saddle/nn': pkg('nn', 'index.node'),
      '@saddle/gan': pkg('gan', 'index.node'),
      '@saddle/all': pkg('all'),
      '@saddle/benchmarks': fileURLToPath(new URL('./benchmarks/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'demo/test/**/*.test.ts'],
    globalSetup: ['test/setup/require-adapter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One WebGPU device per worker; lavapipe is CPU-bound, so two workers on a 2-core box.
    pool: 'forks',
    maxWorkers: 2,
  },
});
