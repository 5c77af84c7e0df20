// Compiles assembly/index.ts (every wasm kernel) into build/kernels.wasm with AssemblyScript.
// Run by `pnpm install` (the package's `prepare` script) and by `pnpm build`; by hand:
// `pnpm --filter @saddle/kernels-wasm build:wasm`.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (e) {
  console.error('kernels-wasm: the AssemblyScript compiler is not installed; run `pnpm install` at the repository root first.');
  console.error(String(e));
  process.exit(1);
}
mkdirSync(join(root, 'build'), { recursive: true });
const args = [
  'assembly/index.ts',
  '--outFile', 'build/kernels.wasm',
  '--textFile', 'build/kernels.wat',
  // 128-bit SIMD and shared memory + atomics: the worker threads all run this one module on one memory.
  '--enable', 'simd', '--enable', 'threads',
  // The JS side owns the memory (it allocates the tensors in it); every instance imports the same one.
  '--importMemory', '--sharedMemory', '--initialMemory', '17', '--maximumMemory', '65536',
  // Kernels never allocate: no garbage collector, no allocator in the module.
  '--runtime', 'stub',
  '-O3', '--noAssert',
];
const { error, stderr } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr, baseDir: root });
if (error) {
  console.error(`kernels-wasm: compile failed: ${error.message}`);
  process.exit(1);
}
console.log('kernels-wasm: built build/kernels.wasm');
