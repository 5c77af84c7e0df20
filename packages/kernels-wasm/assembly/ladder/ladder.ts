/**
 * The matmul ladder on the CPU: C[M,N] = A[M,K]·B[K,N] (f32, dense, row-major, no transposes, no
 * bias), written four ways, each one change away from the one before. The two steps after these
 * are the production kernel (assembly/matmul/matmul.ts) on one thread ("K blocks") and on every
 * thread ("threads"). docs/kernels.md has the ladder's table of GFLOP/s; `pnpm bench ladder` times it.
 *
 * Every step runs on the calling thread alone (the launcher passes tid 0, nthreads 1) and sums each
 * output's K products in increasing k, in f32: the CPU twin's order up to the rounding of each
 * addition, so the tests hold each step to the production kernel's tolerance (1e-6·K·max|a|·max|b|).
 *
 * 1. ladderScalar: three loops, one output at a time, a dot product of a row of A and a column of
 *    B. The column is read with a stride of N floats: every load of B touches a new cache line
 *    (64 bytes for the 4 used), so past a few hundred columns the loop waits on memory. One
 *    multiply and one add per two loads: a quarter of a flop per byte loaded.
 * 2. ladderF32x4: four outputs of a row at once. a[i,p] is splatted to four lanes and multiplied by
 *    four consecutive floats of row p of B (one v128.load): B is now read along its rows, and each
 *    instruction does four lanes' work. Still two loads (a splat and a vector) per 8 flops, and one
 *    accumulator: each add waits for the previous one (a 3-4 cycle latency chain).
 * 3. ladderTile4x8: a 4 x 8 register tile, eight f32x4 accumulators. Per k: two vector loads of B,
 *    four splats of A, 8 multiplies and 8 adds (64 flops for 6 loads), and eight independent add
 *    chains, enough to hide the add latency. A is still read down its columns (stride K), B along
 *    its rows (stride N): the four rows of A and the 8-wide strip of B are spread over memory.
 *    Edge rows and columns (M % 4, N % 8) take the scalar loop.
 * 4. ladderPacked: op(A) copied into panels of 4 rows stored [K][4] and B into panels of 8 columns
 *    stored [K][8], zero-padded at the edges (so the tile never tests a bound), then the same 4 x 8
 *    tile streams two contiguous arrays. Packing costs M·K + K·N copies against 2·M·N·K flops. What
 *    it still lacks: with K whole, a B panel (K x 8 floats, 32 KiB at K = 1024) no longer fits L1
 *    while the A panels pass over it; the next step cuts K into blocks of at most 256.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */

/** Step 1: one output at a time, a strided column of B. */
export function ladderScalar(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tid: i32, nthreads: i32): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += load<f32>(a + ((<usize>(i * k + p)) << 2)) * load<f32>(b + ((<usize>(p * n + j)) << 2));
      store<f32>(c + ((<usize>(i * n + j)) << 2), s);
    }
  }
}

/** One output by the scalar loop (the edges of steps 2 and 3). */
@inline
function dotScalar(a: usize, b: usize, c: usize, n: i32, k: i32, i: i32, j: i32): void {
  let s: f32 = 0;
  for (let p = 0; p < k; p++) s += load<f32>(a + ((<usize>(i * k + p)) << 2)) * load<f32>(b + ((<usize>(p * n + j)) << 2));
  store<f32>(c + ((<usize>(i * n + j)) << 2), s);
}

/** Step 2: four outputs of a row per f32x4, B read along its rows. */
export function ladderF32x4(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tid: i32, nthreads: i32): void {
  const ldb = (<usize>n) << 2;
  for (let i = 0; i < m; i++) {
    const rowA = a + ((<usize>(i * k)) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let acc = f32x4.splat(0);
      let pb = b + ((<usize>j) << 2);
      for (let p = 0; p < k; p++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(rowA + ((<usize>p) << 2)), v128.load(pb)));
        pb += ldb;
      }
      v128.store(c + ((<usize>(i * n + j)) << 2), acc);
    }
    for (; j < n; j++) dotScalar(a, b, c, n, k, i, j);
  }
}

/** Step 3: a 4 x 8 register tile read straight from A and B. */
export function ladderTile4x8(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, tid: i32, nthreads: i32): void {
  const lda = (<usize>k) << 2;
  const ldb = (<usize>n) << 2;
  const ldc = (<usize>n) << 2;
  const m4 = m & ~3;
  const n8 = n & ~7;
  for (let i = 0; i < m4; i += 4) {
    for (let j = 0; j < n8; j += 8) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let pa = a + <usize>i * lda;
      let pb = b + ((<usize>j) << 2);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let x = v128.load32_splat(pa);
        c00 = f32x4.add(c00, f32x4.mul(x, b0));
        c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = v128.load32_splat(pa + lda);
        c10 = f32x4.add(c10, f32x4.mul(x, b0));
        c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = v128.load32_splat(pa + 2 * lda);
        c20 = f32x4.add(c20, f32x4.mul(x, b0));
        c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = v128.load32_splat(pa + 3 * lda);
        c30 = f32x4.add(c30, f32x4.mul(x, b0));
        c31 = f32x4.add(c31, f32x4.mul(x, b1));
        pa += 4;
        pb += ldb;
      }
      const o = c + <usize>i * ldc + ((<usize>j) << 2);
      v128.store(o, c00);
      v128.store(o, c01, 16);
      v128.store(o + ldc, c10);
      v128.store(o + ldc, c11, 16);
      v128.store(o + 2 * ldc, c20);
      v128.store(o + 2 * ldc, c21, 16);
      v128.store(o + 3 * ldc, c30);
      v128.store(o + 3 * ldc, c31, 16);
    }
  }
  // The edges: rows past the last full 4, then columns past the last full 8 of the full rows.
  for (let i = m4; i < m; i++) for (let j = 0; j < n; j++) dotScalar(a, b, c, n, k, i, j);
  for (let i = 0; i < m4; i++) for (let j = n8; j < n; j++) dotScalar(a, b, c, n, k, i, j);
}

/**
 * Step 4: pack, then the 4 x 8 tile over contiguous panels. `pack` is scratch of
 * (ceil(M/4)·4 + ceil(N/8)·8)·K floats + 128 bytes (the edge tile), from the launcher.
 */
export function ladderPacked(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, pack: usize, tid: i32, nthreads: i32): void {
  const panelsA = (m + 3) >> 2;
  const panelsB = (n + 7) >> 3;
  const panelA = (<usize>(k * 4)) << 2; // bytes of one A panel
  const panelB = (<usize>(k * 8)) << 2;
  const packA = pack;
  const packB = packA + <usize>panelsA * panelA;
  const edge = packB + <usize>panelsB * panelB;
  // Pack A: panel q holds rows 4q .. 4q+3, column p of them at [p][0..3]; zeros past M.
  for (let q = 0; q < panelsA; q++) {
    for (let p = 0; p < k; p++) {
      for (let r = 0; r < 4; r++) {
        const i = q * 4 + r;
        store<f32>(packA + <usize>q * panelA + ((<usize>(p * 4 + r)) << 2), i < m ? load<f32>(a + ((<usize>(i * k + p)) << 2)) : 0);
      }
    }
  }
  // Pack B: panel q holds columns 8q .. 8q+7, row p of them at [p][0..7]; zeros past N.
  for (let q = 0; q < panelsB; q++) {
    for (let p = 0; p < k; p++) {
      for (let s = 0; s < 8; s++) {
        const j = q * 8 + s;
        store<f32>(packB + <usize>q * panelB + ((<usize>(p * 8 + s)) << 2), j < n ? load<f32>(b + ((<usize>(p * n + j)) << 2)) : 0);
      }
    }
  }
  const ldc = (<usize>n) << 2;
  for (let qb = 0; qb < panelsB; qb++) {
    for (let qa = 0; qa < panelsA; qa++) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let pa = packA + <usize>qa * panelA;
      let pb = packB + <usize>qb * panelB;
      const end = pb + panelB;
      while (pb < end) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let x = v128.load32_splat(pa);
        c00 = f32x4.add(c00, f32x4.mul(x, b0));
        c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = v128.load32_splat(pa, 4);
        c10 = f32x4.add(c10, f32x4.mul(x, b0));
        c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = v128.load32_splat(pa, 8);
        c20 = f32x4.add(c20, f32x4.mul(x, b0));
        c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = v128.load32_splat(pa, 12);
        c30 = f32x4.add(c30, f32x4.mul(x, b0));
        c31 = f32x4.add(c31, f32x4.mul(x, b1));
        pa += 16;
        pb += 32;
      }
      // Park the tile, then copy the part inside C (every tile: this step keeps the store simple).
      v128.store(edge, c00);
      v128.store(edge, c01, 16);
      v128.store(edge, c10, 32);
      v128.store(edge, c11, 48);
      v128.store(edge, c20, 64);
      v128.store(edge, c21, 80);
      v128.store(edge, c30, 96);
      v128.store(edge, c31, 112);
      const i0 = qa * 4;
      const j0 = qb * 8;
      const rows = min(4, m - i0);
      const cols = min(8, n - j0);
      for (let r = 0; r < rows; r++) {
        for (let s = 0; s < cols; s++) store<f32>(c + <usize>(i0 + r) * ldc + ((<usize>(j0 + s)) << 2), load<f32>(edge + ((<usize>(r * 8 + s)) << 2)));
      }
    }
  }
}
