import { defineConfig } from 'tsup';

/** The build every package shares: ESM JavaScript and .d.ts from src/index.ts, for Node 20 and browsers. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  tsconfig: './tsconfig.json',
});
