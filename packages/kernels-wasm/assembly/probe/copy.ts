/**
 * The machine's memory bandwidth as a wasm kernel sees it, measured, for the roofline
 * (docs/performance.md): copies `bytes` (a multiple of 64 · nthreads) from src to dst, each thread
 * its own contiguous share, four v128 loads then four v128 stores per 64 bytes. With buffers much
 * larger than the caches (the launcher uses 64 MiB each) every byte comes from and goes to DRAM:
 * the bandwidth is 2 · bytes / time (read + write; the write-allocate read of dst is not counted).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
export function probeCopyBandwidth(src: usize, dst: usize, bytes: i32, tid: i32, nthreads: i32): void {
  const share = (<usize>bytes / <usize>nthreads) & ~(<usize>63);
  let s = src + <usize>tid * share;
  let d = dst + <usize>tid * share;
  const end = s + share;
  while (s < end) {
    const x0 = v128.load(s);
    const x1 = v128.load(s, 16);
    const x2 = v128.load(s, 32);
    const x3 = v128.load(s, 48);
    v128.store(d, x0);
    v128.store(d, x1, 16);
    v128.store(d, x2, 32);
    v128.store(d, x3, 48);
    s += 64;
    d += 64;
  }
}
