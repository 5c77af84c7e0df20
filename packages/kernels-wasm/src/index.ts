/**
 * @saddle/kernels-wasm: saddle's WebAssembly SIMD kernels, compiled from AssemblyScript
 * (assembly/<op>/<op>.ts) into one module, build/kernels.wasm, in four builds: SIMD128 or relaxed
 * SIMD (fused multiply-add), each for a shared or an ordinary memory. This file only finds,
 * feature-detects and compiles them; the `wasm` device (@saddle/tensor) runs them on its worker
 * threads.
 *
 * No dependency on other saddle packages: @saddle/tensor depends on this one.
 */

/** Where the compiled module lives, next to this package's src/ and dist/ (shared memory, threads). */
export const KERNELS_WASM_URL = new URL('../build/kernels.wasm', import.meta.url);
/** The same kernels importing an ordinary (not shared) memory: one thread, no SharedArrayBuffer needed. */
export const KERNELS_SINGLE_WASM_URL = new URL('../build/kernels-single.wasm', import.meta.url);
/** The relaxed-SIMD builds (multiply-adds fused: f32x4.relaxed_madd), shared and ordinary memory. */
export const KERNELS_RELAXED_WASM_URL = new URL('../build/kernels-relaxed.wasm', import.meta.url);
/** The relaxed-SIMD build for an ordinary (unshared) memory: one thread. */
export const KERNELS_RELAXED_SINGLE_WASM_URL = new URL('../build/kernels-relaxed-single.wasm', import.meta.url);

/**
 * Which instruction set a build of the kernels uses: `simd128` (WebAssembly SIMD, every engine
 * that has SIMD) or `relaxed-simd` (SIMD128 plus the relaxed-SIMD proposal's f32x4.relaxed_madd,
 * a fused multiply-add on CPUs with FMA: Chrome 114+, Node 22+, Node 20 with
 * --experimental-wasm-relaxed-simd).
 */
export type KernelBuild = 'simd128' | 'relaxed-simd';

/**
 * The smallest module that uses relaxed SIMD: one function (v128, v128, v128) -> v128 returning
 * f32x4.relaxed_madd of its parameters (opcode 0xfd 0x105). An engine that validates it runs the
 * relaxed build.
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, // code: one body, 11 bytes, no locals
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, // local.get 0, 1, 2
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0x0b, // end
]);

/** Whether this engine has relaxed SIMD (it validates a tiny module that uses f32x4.relaxed_madd). */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/**
 * The build to run when none is asked for: `relaxed-simd` where the engine validates it, else
 * `simd128`. `override` (the SADDLE_WASM environment variable in Node: `simd128` or
 * `relaxed-simd`) wins; an unknown value, or `relaxed-simd` on an engine without it, throws.
 */
export function chooseKernelBuild(override?: string): KernelBuild {
  if (override === undefined || override === '') return relaxedSimdSupported() ? 'relaxed-simd' : 'simd128';
  if (override !== 'simd128' && override !== 'relaxed-simd') {
    throw new Error(`kernels-wasm: the kernel build asked for (SADDLE_WASM or the build option) is '${override}'; expected 'simd128' or 'relaxed-simd'`);
  }
  if (override === 'relaxed-simd' && !relaxedSimdSupported()) {
    throw new Error("kernels-wasm: the relaxed-SIMD build was asked for, but this engine does not validate relaxed SIMD (Chrome 114+, Node 22+, or Node 20 with --experimental-wasm-relaxed-simd); expected 'simd128'");
  }
  return override;
}

function urlOf(shared: boolean, build: KernelBuild): URL {
  if (build === 'relaxed-simd') return shared ? KERNELS_RELAXED_WASM_URL : KERNELS_RELAXED_SINGLE_WASM_URL;
  return shared ? KERNELS_WASM_URL : KERNELS_SINGLE_WASM_URL;
}

const HOW_TO_BUILD =
  'build it with `pnpm install` at the repository root (the package\'s prepare script), or `pnpm --filter @saddle/kernels-wasm build:wasm`';

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** Reads a `file:` URL's bytes; installed by the Node entry (./index.node.ts), absent in a browser. */
export type FileReader = (url: URL) => Promise<Uint8Array>;

let readFileUrl: FileReader | null = null;

/** Installs how `file:` URLs are read (the Node entry passes node:fs). */
export function setFileReader(reader: FileReader | null): void {
  readFileUrl = reader;
}

/**
 * The compiled kernel module (compiled once per process and build): for a shared memory (threads)
 * or, with `shared` false, for an ordinary one; `build` picks the instruction set (default: the
 * SIMD128 build). In a browser it is fetched from next to this module (bundlers copy it:
 * `new URL(..., import.meta.url)`); in Node (the package's Node entry) the file is read from disk.
 */
export function loadKernelsModule(shared = true, build: KernelBuild = 'simd128'): Promise<WebAssembly.Module> {
  const key = `${build}/${shared}`;
  let m = compiled.get(key);
  if (!m) {
    m = compile(urlOf(shared, build)).catch((e: unknown) => {
      compiled.delete(key);
      throw e;
    });
    compiled.set(key, m);
  }
  return m;
}

async function compile(url: URL): Promise<WebAssembly.Module> {
  let bytes: ArrayBuffer | Uint8Array;
  if (url.protocol === 'file:') {
    if (!readFileUrl) throw new Error(`kernels-wasm: ${url.href} is a file but this host cannot read files (in Node, import the package's "node" entry)`);
    try {
      bytes = await readFileUrl(url);
    } catch (e) {
      throw new Error(`kernels-wasm: ${url.pathname} is missing (${(e as Error).message}); ${HOW_TO_BUILD}`);
    }
  } else {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`kernels-wasm: fetching ${url.href} gave HTTP ${res.status}; ${HOW_TO_BUILD}`);
    bytes = await res.arrayBuffer();
  }
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (e) {
    throw new Error(`kernels-wasm: ${url.href} does not compile (${(e as Error).message}); this runtime needs WebAssembly SIMD and threads, or rebuild: ${HOW_TO_BUILD}`);
  }
}
