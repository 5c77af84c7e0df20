/**
 * Matrix product with a fused epilogue: C[M,N] = act(op(A)·op(B) + bias), f32 (the twin of
 * packages/ops/src/matmul). op(A) is A [M,K] or, with transA, the transpose of a stored
 * [K,M]; op(B) is B [K,N] or, with transB, the transpose of a stored [N,K].
 *
 * One kernel, matmulF32, run once on every thread; it does two jobs.
 *
 * 1. Packing: op(A) and op(B) are copied once into panels in the order the inner loop reads them:
 *      A panels: MR rows at a time, stored [ceil(M/MR)][K][MR] (MR floats of one column of op(A);
 *                MR = 4 in the SIMD128 build, 5 in the relaxed-SIMD build)
 *      B panels: NR = 8 columns at a time, stored [ceil(N/8)][K][8] (8 floats of one row of op(B))
 *    Rows and columns past the edge are packed as zeros, so every panel is full. Packing is where
 *    the transposes go: transA / transB only change how a panel is gathered (4 x 4 blocks
 *    transposed in registers where the stored rows run along K), and the inner loop is the same
 *    for all four combinations. It costs M*K + K*N copies once, against 2*M*N*K flops. A panel is
 *    packed by the first thread whose tile needs it (an atomic state per panel: unpacked, being
 *    packed, packed; a thread packs what nobody has claimed before it waits for the others'), so
 *    packing and computing need no barrier between them: one run, one wake-up of the workers.
 *
 * 2. The register tiles: C is computed by tiles of MR x 8 outputs, one f32x4 accumulator per row
 *    and half row (row r, columns 0-3 and 4-7). One step of the inner loop reads one column of the
 *    A panel (MR floats, each broadcast to all lanes) and one row of the B panel (two f32x4 loads),
 *    and does 2 * MR multiply-adds through shared/fma.ts's madd.
 *
 *    SIMD128 build, 4 x 8: a multiply then an add per madd. Eight independent chains; the add is
 *    the only link of a chain (the product is off it), so they hide its latency. 8 accumulators +
 *    2 B vectors + the A splat + a product fit the 15 xmm registers V8 allocates on x64; a 5 x 8
 *    tile (the relaxed build's, below, plus a product register: 16) ran 0.85x as fast here.
 *
 *    Relaxed-SIMD build, 5 x 8: one fused f32x4.relaxed_madd per step and accumulator. Now the
 *    whole FMA (4 cycles on x64) is the chain's link while a core issues two a cycle, so 8 chains
 *    are just enough, and the fixed cost of a step (two B loads, pointer increments, the branch)
 *    is spread over only 8 FMAs. Measured (scripts/tile-probe.mjs, one thread, CPU time): the
 *    4 x 8 FMA tile ran at ~80% of the register-only FMA rate, 5 x 8 at ~89%; 8 register-only
 *    chains ran at ~92% of 12. Ten chains per step: more FMAs per fixed cost, and slack on the
 *    latency. The registers: V8 schedules a step's loads before its arithmetic, so five splat loads would be live at once (10 + 2 + 5 = 17 > 15, spills: the
 *    first 5 x 8 and 6 x 8 attempts ran slower than 4 x 8). Instead rows 0-3 arrive as one f32x4
 *    and are broadcast by shuffles (pshufd, on a port the FMAs do not use), which V8 places next to
 *    their multiply-adds; row 4 is one splat load: 10 accumulators + 2 B vectors + the A vector +
 *    the splat + one broadcast = 15 registers, no spill (checked in V8's code:
 *    `node --experimental-wasm-relaxed-simd --no-liftoff --print-wasm-code`). 6 x 8 (12
 *    accumulators) needs 16 that way. The panel's column is 20 bytes (unaligned loads, free on
 *    x64). Why the gain over SIMD128 stays under 1.5x: the SIMD128 tile already runs at its
 *    register-only rate and the FMA tile at ~89% of its own, so the tiles' ratio is ~0.89 times
 *    the ratio of the two register-only rates (1.46 when the probe measured them side by side):
 *    ~1.3 (docs/performance.md).
 *
 * Cache blocking: the output is cut into macro tiles of mc x nc (chosen by the launcher, multiples
 * of MR and 8) and K into blocks of kc <= KC_MAX (256). For one macro tile and one K block, the
 * kernel walks its 8-column strips (outer) and MR-row strips (inner): a B micro-panel (kc x 8 =
 * 8 KiB) is reused from L1 by every row strip of the tile, and the A block (mc x kc floats) stays
 * in L2 while the strips of B pass over it. Panels are contiguous in K, so a K block of a panel is
 * a contiguous slice: no second packing per block.
 *
 * Threads: macro tiles are handed out by an atomic counter (each thread takes the next tile until
 * none is left), so a thread slowed by another process does fewer tiles instead of holding up the
 * others. A tile is computed by the same instructions whoever takes it and a panel holds the same
 * floats whoever packs it, so 1 and N threads give the same bits.
 *
 * Numerics (summation order): an output is the sum of its K terms in increasing k, in f32, in
 * blocks: within a K block the accumulator adds a_k*b_k in order; the block's sum is then added to
 * C (the first block is stored). The blocks depend on K alone (kc = ceil(K / ceil(K / 256))), never
 * on the thread count or the tiling. Then + bias, then the activation, each rounded once. Against
 * the float64 twin the error is at most about (K + 1) * eps32 * sum_k |a_ik b_kj| (a running f32
 * sum of K products, each product exact to eps32/2): the tests use 1e-6 * K * max|a| * max|b|.
 * The relaxed-SIMD build fuses each a_k*b_k + acc (no rounding of the product): the same bound
 * holds (it drops K of the 2K roundings), but the bits differ from the SIMD128 build's.
 *
 * Epilogue: on the last K block, bias[j] is added and the activation applied as the CPU twin
 * does: relu is x > 0 || x is NaN ? x : 0 (NaN kept as in PyTorch, -0 gives +0), sigmoid uses exp(-|x|) only (no overflow).
 *
 * Bounds: full MR x 8 tiles store straight from the accumulators. A tile cut by the edge of C
 * (M % MR or N % 8 left over) writes its accumulators to the unit's edge buffer (MR x 8 floats) and
 * copies only the rows and columns inside C. Packed panels are padded, so the inner loop never
 * tests a bound. K = 0 runs one empty block: C = act(bias) (or act(0)).
 *
 * Scratch (one block allocated by the launcher per call): [0, 64) the tile counter, then one
 * MATMUL_EDGE_BYTES edge buffer per unit (tid: the pool calls the kernel with up to device.units of them), then one i32 state per panel (A panels first), then the A
 * panels, then the B panels. The launcher zeroes the counter and the states before the call.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */

import { madd } from '../shared/fma';

/**
 * Rows of a register tile (floats of an A panel column): 4 in the SIMD128 build, 5 in the
 * relaxed-SIMD build (see the header's "register tiles").
 */
export const MATMUL_MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 5 : 4;
/** Columns of a register tile (floats of a B panel row). */
export const MATMUL_NR: i32 = 8;
/** Longest K block. */
export const MATMUL_KC: i32 = 256;
/** Bytes before the first edge buffer (the tile counter's cache line). */
export const MATMUL_SCRATCH_HEAD: i32 = 64;
/** Bytes of one unit's edge buffer (one MR x 8 tile). */
export const MATMUL_EDGE_BYTES: i32 = MATMUL_MR * 8 * 4;

// Activation codes (keep in step with MATMUL_ACTIVATION_CODE in @saddle/ops's matmul.wgsl.ts).
const RELU = 1, SIGMOID = 2;

const MR: i32 = MATMUL_MR;
const NR: i32 = 8;
/** Bytes of one k step of an A panel (MR floats). */
const A_STEP: usize = <usize>MR << 2;

// ---- packing ----

/**
 * Stores the 4 x 4 block whose rows are x0..x3 transposed: column c of the block (x0[c], x1[c],
 * x2[c], x3[c]) goes to d + c * stride, as one f32x4. Eight shuffles, no scalar moves.
 */
@inline
function storeTransposed(d: usize, stride: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5); // x0[0] x1[0] x0[1] x1[1]
  const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5); // x2[0] x3[0] x2[1] x3[1]
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7); // x0[2] x1[2] x0[3] x1[3]
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7); // x2[2] x3[2] x2[3] x3[3]
  v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(d + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(d + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(d + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * A panel `panel` (rows MR*panel .. +MR of op(A)): dst[p*MR + r] = op(A)[MR*panel + r, p], zeros
 * past M. transA (stored [K,M]) reads MR consecutive floats per p; otherwise MR rows of stride K
 * are gathered, the first four through a 4 x 4 register transpose (the fifth, in the relaxed-SIMD
 * build, one float at a time).
 */
@inline
function packAPanel(a: usize, m: i32, k: i32, transA: bool, panel: i32, dst: usize): void {
  const i0 = panel * MR;
  const rows = min(MR, m - i0);
  if (transA) {
    if (rows == MR) {
      for (let p = 0; p < k; p++) {
        const s = a + ((<usize>(p * m + i0)) << 2);
        const d = dst + <usize>p * A_STEP;
        v128.store(d, v128.load(s));
        if (MR == 5) store<f32>(d, load<f32>(s, 16), 16);
      }
      return;
    }
    for (let p = 0; p < k; p++) {
      const d = dst + <usize>p * A_STEP;
      for (let r = 0; r < MR; r++) store<f32>(d + ((<usize>r) << 2), r < rows ? load<f32>(a + ((<usize>(p * m + i0 + r)) << 2)) : 0);
    }
    return;
  }
  if (rows == MR) {
    const r0 = a + ((<usize>(i0 * k)) << 2);
    const r1 = r0 + ((<usize>k) << 2);
    const r2 = r1 + ((<usize>k) << 2);
    const r3 = r2 + ((<usize>k) << 2);
    const r4 = r3 + ((<usize>k) << 2); // read only when MR == 5
    let p = 0;
    // Four columns at a time: load 4 x 4 (one f32x4 from each row) and transpose in registers.
    for (; p + 4 <= k; p += 4) {
      const off = (<usize>p) << 2;
      const d = dst + <usize>p * A_STEP;
      storeTransposed(d, A_STEP, v128.load(r0 + off), v128.load(r1 + off), v128.load(r2 + off), v128.load(r3 + off));
      if (MR == 5) {
        store<f32>(d, load<f32>(r4 + off), 16);
        store<f32>(d + A_STEP, load<f32>(r4 + off, 4), 16);
        store<f32>(d + 2 * A_STEP, load<f32>(r4 + off, 8), 16);
        store<f32>(d + 3 * A_STEP, load<f32>(r4 + off, 12), 16);
      }
    }
    for (; p < k; p++) {
      const off = (<usize>p) << 2;
      const d = dst + <usize>p * A_STEP;
      store<f32>(d, load<f32>(r0 + off));
      store<f32>(d, load<f32>(r1 + off), 4);
      store<f32>(d, load<f32>(r2 + off), 8);
      store<f32>(d, load<f32>(r3 + off), 12);
      if (MR == 5) store<f32>(d, load<f32>(r4 + off), 16);
    }
    return;
  }
  for (let p = 0; p < k; p++) {
    const d = dst + <usize>p * A_STEP;
    for (let r = 0; r < MR; r++) store<f32>(d + ((<usize>r) << 2), r < rows ? load<f32>(a + ((<usize>((i0 + r) * k + p)) << 2)) : 0);
  }
}

/**
 * B panel `panel` (columns 8*panel .. +8 of op(B)): dst[p*8 + c] = op(B)[p, 8*panel + c], zeros past N.
 * Without transB (stored [K,N]) a panel row is 8 consecutive floats; with it, 8 rows of stride K
 * are gathered, four k at a time through a 4 x 4 register transpose.
 */
@inline
function packBPanel(b: usize, n: i32, k: i32, transB: bool, panel: i32, dst: usize): void {
  const j0 = panel * NR;
  const cols = min(NR, n - j0);
  if (!transB) {
    if (cols == NR) {
      for (let p = 0; p < k; p++) {
        const s = b + ((<usize>(p * n + j0)) << 2);
        const d = dst + ((<usize>p) << 5);
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
      }
      return;
    }
    for (let p = 0; p < k; p++) {
      const d = dst + ((<usize>p) << 5);
      for (let c = 0; c < NR; c++) store<f32>(d + ((<usize>c) << 2), c < cols ? load<f32>(b + ((<usize>(p * n + j0 + c)) << 2)) : 0);
    }
    return;
  }
  if (cols == NR) {
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      // Columns j0..j0+3, then j0+4..j0+7: four k of each, transposed into rows of the panel.
      for (let half = 0; half < 2; half++) {
        const r0 = b + ((<usize>((j0 + half * 4) * k + p)) << 2);
        const r1 = r0 + ((<usize>k) << 2);
        const r2 = r1 + ((<usize>k) << 2);
        const r3 = r2 + ((<usize>k) << 2);
        storeTransposed(dst + ((<usize>p) << 5) + ((<usize>half) << 4), 32, v128.load(r0), v128.load(r1), v128.load(r2), v128.load(r3));
      }
    }
    for (; p < k; p++) {
      const d = dst + ((<usize>p) << 5);
      for (let c = 0; c < NR; c++) store<f32>(d + ((<usize>c) << 2), load<f32>(b + ((<usize>((j0 + c) * k + p)) << 2)));
    }
    return;
  }
  for (let p = 0; p < k; p++) {
    const d = dst + ((<usize>p) << 5);
    for (let c = 0; c < NR; c++) store<f32>(d + ((<usize>c) << 2), c < cols ? load<f32>(b + ((<usize>((j0 + c) * k + p)) << 2)) : 0);
  }
}

// Panel states (one i32 each, zeroed by the launcher): nobody has it, a thread is packing it, packed.
const UNPACKED = 0, PACKING = 1, PACKED = 2;

/** Packs panel q (A panels first, then B panels) if no thread has claimed it; returns whether it is packed now. */
@inline
function claimAndPack(q: i32, panelsA: i32, states: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, packA: usize, packB: usize): bool {
  const state = states + ((<usize>q) << 2);
  if (atomic.load<i32>(state) == PACKED) return true;
  if (atomic.cmpxchg<i32>(state, UNPACKED, PACKING) != UNPACKED) return false;
  if (q < panelsA) packAPanel(a, m, k, transA, q, packA + <usize>q * ((<usize>(k * MR)) << 2));
  else packBPanel(b, n, k, transB, q - panelsA, packB + <usize>(q - panelsA) * ((<usize>(k * NR)) << 2));
  // Sequentially consistent: a thread that reads PACKED also sees the panel's floats.
  atomic.store<i32>(state, PACKED);
  return true;
}

/**
 * Makes sure panels [q0, q1) are packed: packs every one nobody has claimed yet, then waits for
 * those another thread is packing (a panel takes microseconds; by then this thread has packed
 * its own share).
 */
@inline
function ensurePanels(q0: i32, q1: i32, panelsA: i32, states: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, packA: usize, packB: usize): void {
  let waiting = false;
  for (let q = q0; q < q1; q++) {
    if (!claimAndPack(q, panelsA, states, a, b, m, n, k, transA, transB, packA, packB)) waiting = true;
  }
  if (!waiting) return;
  for (let q = q0; q < q1; q++) {
    const state = states + ((<usize>q) << 2);
    while (atomic.load<i32>(state) != PACKED) {}
  }
}

// ---- the epilogue ----

@inline
function sigmoidS(x: f32): f32 {
  const e = Mathf.exp(-Mathf.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

@inline
function activateS(x: f32, act: i32): f32 {
  if (act == RELU) return x > 0 || x != x ? x : 0; // NaN kept, as PyTorch
  if (act == SIGMOID) return sigmoidS(x);
  return x;
}

@inline
function activateV(x: v128, act: i32): v128 {
  if (act == RELU) return v128.and(x, v128.or(f32x4.gt(x, f32x4.splat(0)), f32x4.ne(x, x))); // NaN lanes kept
  if (act == SIGMOID) {
    let r = f32x4.splat(sigmoidS(f32x4.extract_lane(x, 0)));
    r = f32x4.replace_lane(r, 1, sigmoidS(f32x4.extract_lane(x, 1)));
    r = f32x4.replace_lane(r, 2, sigmoidS(f32x4.extract_lane(x, 2)));
    return f32x4.replace_lane(r, 3, sigmoidS(f32x4.extract_lane(x, 3)));
  }
  return x;
}

/** Writes one row (8 columns) of a full tile: c = [c +] acc, then on the last block + bias and act. */
@inline
function storeRow(c: usize, v0: v128, v1: v128, first: bool, last: bool, bias: usize, act: i32): void {
  if (!first) {
    v0 = f32x4.add(v128.load(c), v0);
    v1 = f32x4.add(v128.load(c, 16), v1);
  }
  if (last) {
    if (bias) {
      v0 = f32x4.add(v0, v128.load(bias));
      v1 = f32x4.add(v1, v128.load(bias, 16));
    }
    v0 = activateV(v0, act);
    v1 = activateV(v1, act);
  }
  v128.store(c, v0);
  v128.store(c, v1, 16);
}

// ---- the register tile ----

/**
 * One MR x 8 register tile over one K block: pa and pb point at the block's slice of an A panel
 * (kc x MR) and a B panel (kc x 8); c at the tile's first output, ldc bytes per row of C; rows and
 * cols are the part of the tile inside C; bias points at the tile's first bias value (0: none).
 */
@inline
function tile(
  pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, rows: i32, cols: i32,
  first: bool, last: bool, bias: usize, act: i32, edge: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0); // the fifth row: relaxed-SIMD build only
  const end = pb + ((<usize>kc) << 5);
  if (MR == 5) {
    // Rows 0-3 arrive as one f32x4 and are broadcast by shuffles (register-only, so V8 cannot
    // hoist them above the multiply-adds as it does loads: four hoisted splats + ten accumulators
    // + two B vectors would need 17 registers); row 4 is one splat load. 15 registers in all.
    while (pb < end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a = v128.load(pa);
      let x = v128.shuffle<f32>(a, a, 0, 0, 0, 0);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      x = v128.shuffle<f32>(a, a, 1, 1, 1, 1);
      c10 = madd(x, b0, c10);
      c11 = madd(x, b1, c11);
      x = v128.shuffle<f32>(a, a, 2, 2, 2, 2);
      c20 = madd(x, b0, c20);
      c21 = madd(x, b1, c21);
      x = v128.shuffle<f32>(a, a, 3, 3, 3, 3);
      c30 = madd(x, b0, c30);
      c31 = madd(x, b1, c31);
      x = v128.load32_splat(pa, 16);
      c40 = madd(x, b0, c40);
      c41 = madd(x, b1, c41);
      pa += A_STEP;
      pb += 32;
    }
  } else {
    while (pb < end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let x = v128.load32_splat(pa);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      x = v128.load32_splat(pa, 4);
      c10 = madd(x, b0, c10);
      c11 = madd(x, b1, c11);
      x = v128.load32_splat(pa, 8);
      c20 = madd(x, b0, c20);
      c21 = madd(x, b1, c21);
      x = v128.load32_splat(pa, 12);
      c30 = madd(x, b0, c30);
      c31 = madd(x, b1, c31);
      pa += A_STEP;
      pb += 32;
    }
  }
  if (rows == MR && cols == NR) {
    storeRow(c, c00, c01, first, last, bias, act);
    storeRow(c + ldc, c10, c11, first, last, bias, act);
    storeRow(c + 2 * ldc, c20, c21, first, last, bias, act);
    storeRow(c + 3 * ldc, c30, c31, first, last, bias, act);
    if (MR == 5) storeRow(c + 4 * ldc, c40, c41, first, last, bias, act);
    return;
  }
  // A tile cut by the edge of C: park the accumulators, then finish only the outputs inside C,
  // with the same operations in the same order as the full path.
  v128.store(edge, c00);
  v128.store(edge, c01, 16);
  v128.store(edge, c10, 32);
  v128.store(edge, c11, 48);
  v128.store(edge, c20, 64);
  v128.store(edge, c21, 80);
  v128.store(edge, c30, 96);
  v128.store(edge, c31, 112);
  if (MR == 5) {
    v128.store(edge, c40, 128);
    v128.store(edge, c41, 144);
  }
  for (let r = 0; r < rows; r++) {
    const row = c + <usize>r * ldc;
    for (let j = 0; j < cols; j++) {
      const o = row + ((<usize>j) << 2);
      let s = load<f32>(edge + ((<usize>(r * NR + j)) << 2));
      if (!first) s = load<f32>(o) + s;
      if (last) {
        if (bias) s += load<f32>(bias + ((<usize>j) << 2));
        s = activateS(s, act);
      }
      store<f32>(o, s);
    }
  }
}

/** The K block length for K: blocks of at most KC_MAX, as even as possible (a function of K alone). */
@inline
function blockK(k: i32): i32 {
  if (k <= MATMUL_KC) return k;
  const blocks = (k + MATMUL_KC - 1) / MATMUL_KC;
  return (k + blocks - 1) / blocks;
}

/**
 * C = act(op(A)·op(B) + bias) (see the header). a, b: the stored operands; transA, transB: 0 or 1;
 * c: the [M,N] output; bias: 0 for none; act: 0 none, 1 relu, 2 sigmoid; mc, nc: the macro tile
 * (multiples of 4 and 8); scratch: the block of the header's layout, its counter and panel states
 * zeroed; states: the panel states (A panels first, then B panels); packA, packB: the panels.
 */
export function matmulF32(
  a: usize, b: usize, transA: bool, transB: bool, c: usize, bias: usize, m: i32, n: i32, k: i32, act: i32, mc: i32, nc: i32,
  scratch: usize, states: usize, packA: usize, packB: usize,
  tid: i32, nthreads: i32,
): void {
  const edge = scratch + MATMUL_SCRATCH_HEAD + <usize>tid * MATMUL_EDGE_BYTES;
  const panelsA = (m + MR - 1) / MR;
  const tilesN = (n + nc - 1) / nc;
  const tiles = ((m + mc - 1) / mc) * tilesN;
  const kc = blockK(k);
  const ldc = (<usize>n) << 2;
  const panelA = (<usize>(k * MR)) << 2;
  const panelB = (<usize>(k * NR)) << 2;
  for (;;) {
    const t = atomic.add<i32>(scratch, 1);
    if (t >= tiles) return;
    const i0 = (t / tilesN) * mc;
    const j0 = (t % tilesN) * nc;
    const iEnd = min(m, i0 + mc);
    const jEnd = min(n, j0 + nc);
    if (k > 0) {
      ensurePanels(i0 / MR, (iEnd + MR - 1) / MR, panelsA, states, a, b, m, n, k, transA, transB, packA, packB);
      ensurePanels(panelsA + j0 / NR, panelsA + (jEnd + NR - 1) / NR, panelsA, states, a, b, m, n, k, transA, transB, packA, packB);
    }
    let p0 = 0;
    do {
      const len = min(kc, k - p0);
      const first = p0 == 0;
      const last = p0 + len >= k;
      for (let j = j0; j < jEnd; j += NR) {
        const pb = packB + <usize>(j / NR) * panelB + ((<usize>p0) << 5);
        const biasAt = bias ? bias + ((<usize>j) << 2) : 0;
        const cols = min(NR, n - j);
        for (let i = i0; i < iEnd; i += MR) {
          const pa = packA + <usize>(i / MR) * panelA + <usize>p0 * A_STEP;
          tile(pa, pb, len, c + <usize>i * ldc + ((<usize>j) << 2), ldc, min(MR, m - i), cols, first, last, biasAt, act, edge);
        }
      }
      p0 += len;
    } while (p0 < k);
  }
}
