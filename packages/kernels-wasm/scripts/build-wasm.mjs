// Compiles assembly/index.ts (every wasm kernel) into build/kernels.wasm with AssemblyScript, and
// the same source into three more modules: one for an unshared memory, and both again with
// relaxed SIMD (fused multiply-add; see assembly/shared/fma.ts).
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
const memories = [
  // The threaded device: one shared memory, imported by the instance on every worker thread.
  { suffix: '', flags: ['--enable', 'threads', '--sharedMemory'] },
  // One thread, an ordinary memory: for a browser page that is not cross-origin isolated
  // (no SharedArrayBuffer there). The same kernels; only the memory import differs. Atomic
  // instructions (matmul's tile counter) are valid on an unshared memory too, so the threads
  // feature stays on for them.
  { suffix: '-single', flags: ['--enable', 'threads'] },
];
const instructionSets = [
  // SIMD128 only: runs on every engine with WebAssembly SIMD.
  { prefix: 'kernels', flags: [] },
  // Relaxed SIMD on top: madd (shared/fma.ts) becomes f32x4.relaxed_madd, a fused multiply-add
  // where the CPU has one. Chosen at load where the engine validates relaxed SIMD (Chrome 114+,
  // Node 20 with --experimental-wasm-relaxed-simd, which the package's Node entry sets).
  { prefix: 'kernels-relaxed', flags: ['--enable', 'relaxed-simd'] },
];
// KERNELS_WASM_ONLY=kernels-relaxed (a comma-separated list of outputs) rebuilds only those, when tuning one.
const only = process.env.KERNELS_WASM_ONLY?.split(',');
const builds = instructionSets
  .flatMap((i) => memories.map((m) => ({ out: i.prefix + m.suffix, flags: [...i.flags, ...m.flags] })))
  .filter((b) => !only || only.includes(b.out));
for (const b of builds) {
  const args = [...common, ...b.flags, '--outFile', `build/${b.out}.wasm`, '--textFile', `build/${b.out}.wat`];
  const { error } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr, baseDir: root });
  if (error) {
    console.error(`kernels-wasm: compile failed: ${error.message}`);
    process.exit(1);
  }
}
console.log(`kernels-wasm: built ${builds.map((b) => `build/${b.out}.wasm`).join(', ')}`);
