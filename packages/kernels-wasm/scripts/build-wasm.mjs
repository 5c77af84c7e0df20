// Compiles assembly/index.ts (every wasm kernel) into build/kernels.wasm with AssemblyScript, and
// the same source into three more modules: one for an unshared memory, and both again with
// relaxed SIMD (fused multiply-add; see assembly/shared/fma.ts). From the compiler's typings of
// those four builds it then writes src/kernel-exports.ts, the TypeScript declaration of every
// kernel export (name and arguments) that WasmDevice.run is typed by (scripts/kernel-exports.mjs).
// Run by `pnpm install` (the package's `prepare` script) and by `pnpm build`; by hand:
// `pnpm --filter @saddle/kernels-wasm build:wasm`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTypings, renderKernelExports } from './kernel-exports.mjs';

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
  '--enable',
  'simd',
  // The JS side owns the memory (it allocates the tensors in it); every instance imports it.
  '--importMemory',
  '--maximumMemory',
  '65536',
  // Kernels never allocate: no garbage collector, no allocator in the module.
  '--runtime',
  'stub',
  '-O3',
  '--noAssert',
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
// Each build's exports as the compiler declares them (`--bindings raw` typings: parameter names
// and wasm types), for src/kernel-exports.ts. The typings and the JS bindings are kept in memory,
// not written; the bindings do not change the module (same bytes with or without them).
const exportsOf = new Map();
for (const b of builds) {
  const args = [...common, ...b.flags, '--outFile', `build/${b.out}.wasm`, '--textFile', `build/${b.out}.wat`, '--bindings', 'raw'];
  let typings = null;
  const write = async (name, contents, baseDir) => {
    if (name.endsWith('.d.ts')) typings = String(contents);
    if (name.endsWith('.d.ts') || name.endsWith('.js')) return true;
    const file = resolve(baseDir, name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, contents);
    return true;
  };
  const { error } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr, baseDir: root, writeFile: write });
  if (error || typings === null) {
    console.error(`kernels-wasm: compile failed: ${error ? error.message : `no typings for build/${b.out}.wasm`}`);
    process.exit(1);
  }
  try {
    exportsOf.set(b.out, parseTypings(typings, `build/${b.out}.wasm`));
  } catch (e) {
    console.error(String(e.message));
    process.exit(1);
  }
}
console.log(`kernels-wasm: built ${builds.map((b) => `build/${b.out}.wasm`).join(', ')}`);

// The declaration of the exports needs all four builds (a kernel may be in some only): with
// KERNELS_WASM_ONLY naming fewer, it is left as it is.
const declaration = join(root, 'src/kernel-exports.ts');
if (exportsOf.size === instructionSets.length * memories.length) {
  let text;
  try {
    text = renderKernelExports(exportsOf);
  } catch (e) {
    console.error(String(e.message));
    process.exit(1);
  }
  let old = null;
  try {
    old = readFileSync(declaration, 'utf8');
  } catch {
    // No declaration yet: it is written below.
  }
  if (old !== text) {
    writeFileSync(declaration, text);
    console.log('kernels-wasm: wrote src/kernel-exports.ts (the kernel exports changed: commit it)');
  }
} else {
  console.log('kernels-wasm: src/kernel-exports.ts not regenerated (KERNELS_WASM_ONLY builds only some modules)');
}
