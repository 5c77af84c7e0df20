/**
 * Batched matrix product out[b] = op(A)[b] · op(B)[b], [..., M, K] x [..., K, N] -> [..., M, N], the
 * batch dims broadcast; the twin of packages/ops/src/bmm. Operands are read through
 * strides (transposed, sliced or broadcast views), so the launcher never copies.
 *
 * Blocking: the unit of work is one output row (batch, i). Its N outputs live in `out` itself,
 * zeroed first; then for k = 0..K-1 the row gets a_ik · B[k, :] added (an axpy), so B is streamed
 * row by row and the output row stays in L1 (a row of N = 1024 is 4 KiB). This is the simple
 * kernel for the small products of attention-like layers; the large 2-D products of the GAN go to
 * the matmul kernel's register and cache tiles.
 *
 * SIMD layout: four consecutive output columns per f32x4; a_ik is splatted. B's four lanes are one
 * load when its column stride is 1 and are gathered otherwise (a transposed B). The last N % 4
 * columns take a scalar loop with the same two IEEE operations (a multiply, then an add: wasm has
 * no FMA), so every element of the row is the same sequence sum_k (a_ik * b_kj) in k order.
 *
 * Threads: the batches * M rows are cut into nthreads ranges (alignment 1); an element's sum runs
 * in k order whatever the split, so 1 and N threads agree bit for bit. Against the double twin:
 * the f32 sum of K products (error about K ulps of the sum of magnitudes).
 *
 * Bounds: the launcher checks shapes and batch broadcasting; the kernel reads only A[b, i, :],
 * B[b, :, :] and writes out[b, i, :]. dims holds [batchRank, batch shape, A's batch strides,
 * B's batch strides] (strides in elements, 0 where broadcast).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { dim, loadLanes } from '../shared/strided';

/**
 * a: element 0 of A (its view offset added), read op(A)[i, k] at i * aRow + k * aCol; b likewise
 * with bRow (k) and bCol (j); out dense [batches, M, N].
 */
export function bmmF32(m: i32, k: i32, n: i32, batches: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize, dims: usize, tid: i32, nthreads: i32): void {
  const rows = batches * m;
  const start = shareStart(rows, tid, nthreads, 1);
  const end = shareEnd(rows, tid, nthreads, 1);
  const batchRank = dim(dims, 0);
  const bColBytes = (<usize>bCol) << 2;
  const body = n & ~3;
  for (let t = start; t < end; t++) {
    const batch = t / m;
    const i = t - batch * m;
    // The batch's element offsets in A and B (row-major over the broadcast batch shape).
    let rem = batch;
    let aOff = 0;
    let bOff = 0;
    for (let d = batchRank - 1; d >= 0; d--) {
      const size = dim(dims, 1 + d);
      const idx = rem % size;
      rem /= size;
      aOff += idx * dim(dims, 1 + batchRank + d);
      bOff += idx * dim(dims, 1 + 2 * batchRank + d);
    }
    const row = out + ((<usize>t * <usize>n) << 2);
    memory.fill(row, 0, (<usize>n) << 2);
    const aRowPtr = a + ((<usize>(aOff + i * aRow)) << 2);
    for (let p = 0; p < k; p++) {
      const aik = load<f32>(aRowPtr + ((<usize>(p * aCol)) << 2));
      const av = f32x4.splat(aik);
      const bk = b + ((<usize>(bOff + p * bRow)) << 2);
      let j = 0;
      for (; j < body; j += 4) {
        const o = row + ((<usize>j) << 2);
        v128.store(o, f32x4.add(v128.load(o), f32x4.mul(av, loadLanes(bk + <usize>j * bColBytes, bColBytes))));
      }
      for (; j < n; j++) {
        const o = row + ((<usize>j) << 2);
        store<f32>(o, load<f32>(o) + aik * load<f32>(bk + <usize>j * bColBytes));
      }
    }
  }
}
