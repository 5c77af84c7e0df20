/**
 * How a kernel splits its work over the threads of the pool.
 *
 * Every exported kernel takes its own arguments and then (tid, nthreads). A parallel job is cut
 * into nthreads units (virtual threads, 4 per core); the pool calls the export once per unit, on
 * whichever real thread claims the unit (the calling thread or a worker), all on the same memory
 * at the same time. A kernel picks its share from these two numbers alone: no locks, no queue.
 * (The one exception is the matmul, matmul/matmul.ts: its threads take macro tiles from an atomic
 * counter and claim panels by compare-and-swap, so a thread that loses its core does fewer tiles.)
 * The JS side runs a job as one call (tid 0 of 1) on the calling thread when it is too small to
 * pay for waking the workers.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */

/** Elements are handed out in blocks of this many, so a thread's range starts on a 64-byte line. */
export const SPLIT_ALIGN: i32 = 16;

/** Start of thread `tid`'s share of `n` items cut into `nthreads` near-equal, `align`-aligned ranges. */
@inline
export function shareStart(n: i32, tid: i32, nthreads: i32, align: i32 = SPLIT_ALIGN): i32 {
  const chunk = (((n + nthreads - 1) / nthreads + align - 1) / align) * align;
  return min(n, tid * chunk);
}

/** End (exclusive) of thread `tid`'s share; see shareStart. */
@inline
export function shareEnd(n: i32, tid: i32, nthreads: i32, align: i32 = SPLIT_ALIGN): i32 {
  const chunk = (((n + nthreads - 1) / nthreads + align - 1) / align) * align;
  return min(n, (tid + 1) * chunk);
}
