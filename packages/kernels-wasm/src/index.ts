/**
 * @saddle/kernels-wasm: saddle's WebAssembly SIMD kernels, compiled from AssemblyScript
 * (assembly/<op>/<op>.ts) into one module, build/kernels.wasm. This file only finds and compiles
 * that module; the `wasm` device (@saddle/tensor) runs it on its worker threads.
 *
 * No dependency on other saddle packages: @saddle/tensor depends on this one.
 */

/** Where the compiled module lives, next to this package's src/ and dist/ (shared memory, threads). */
export const KERNELS_WASM_URL = new URL('../build/kernels.wasm', import.meta.url);
/** The same kernels importing an ordinary (not shared) memory: one thread, no SharedArrayBuffer needed. */
export const KERNELS_SINGLE_WASM_URL = new URL('../build/kernels-single.wasm', import.meta.url);

const HOW_TO_BUILD =
  'build it with `pnpm install` at the repository root (the package\'s prepare script), or `pnpm --filter @saddle/kernels-wasm build:wasm`';

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

/** Reads a `file:` URL's bytes; installed by the Node entry (./index.node.ts), absent in a browser. */
export type FileReader = (url: URL) => Promise<Uint8Array>;

let readFileUrl: FileReader | null = null;

/** Installs how `file:` URLs are read (the Node entry passes node:fs). */
export function setFileReader(reader: FileReader | null): void {
  readFileUrl = reader;
}

/**
 * The compiled kernel module (compiled once per process): for a shared memory (threads) or, with
 * `shared` false, for an ordinary one. In a browser it is fetched from next to this module
 * (bundlers copy it: `new URL(..., import.meta.url)`); in Node (the package's Node entry) the file
 * is read from disk.
 */
export function loadKernelsModule(shared = true): Promise<WebAssembly.Module> {
  let m = compiled.get(shared);
  if (!m) {
    m = compile(shared ? KERNELS_WASM_URL : KERNELS_SINGLE_WASM_URL).catch((e: unknown) => {
      compiled.delete(shared);
      throw e;
    });
    compiled.set(shared, m);
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
