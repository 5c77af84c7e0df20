import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@saddle/tensor': pkg('tensor'),
      '@saddle/kernels-wgsl': pkg('kernels-wgsl'),
      '@saddle/kernels-wasm': pkg('kernels-wasm'),
      '@saddle/autograd': pkg('autograd'),
      '@saddle/nn': pkg('nn'),
      '@saddle/gan': pkg('gan'),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    globalSetup: ['test/setup/require-adapter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One WebGPU device per worker; lavapipe is CPU-bound, so two workers on a 2-core box.
    pool: 'forks',
    maxWorkers: 2,
  },
});
