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
const common = [
  'assembly/index.ts',
  // 128-bit SIMD: every kernel is written for f32x4 / i32x4.
  '--enable', 'simd',
  // The JS side owns the memory (it allocates the tensors in it); every instance imports it.
  '--importMemory', '--maximumMemory', '65536',
  // Kernels never allocate: no garbage collector, no allocator in the module.
  '--runtime', 'stub',
  '-O3', '--noAssert',
];
const builds = [
  // The threaded device: one shared memory, imported by the instance on every worker thread.
  { out: 'kernels', flags: ['--enable', 'threads', '--sharedMemory'] },
  // One thread, an ordinary memory: for a browser page that is not cross-origin isolated
  // (no SharedArrayBuffer there). The same kernels; only the memory import differs. The threads
  // feature stays on: matmul's packing uses atomics, which are valid (and plain) on an ordinary memory.
  { out: 'kernels-single', flags: ['--enable', 'threads'] },
];
for (const b of builds) {
  const args = [...common, ...b.flags, '--outFile', `build/${b.out}.wasm`, '--textFile', `build/${b.out}.wat`];
  const { error } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr, baseDir: root });
  if (error) {
    console.error(`kernels-wasm: compile failed: ${error.message}`);
    process.exit(1);
  }
}
console.log('kernels-wasm: built build/kernels.wasm and build/kernels-single.wasm');
