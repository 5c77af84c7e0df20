/**
 * The matmul ladder on WebGPU: C[M,N] = A[M,K]·B[K,N] (f32, dense, row-major, no transposes, no
 * bias), from the first kernel anyone writes to the production one, one idea per step. Steps 1-3
 * are here; steps 4 and 5 are the production kernel (../matmul/matmul.wgsl.ts) with and without
 * its last two ideas (LADDER_VEC4_CONFIG, then MATMUL_CONFIGS.large). docs/kernels.md tells the
 * story with the measured GFLOP/s of each step; `pnpm bench ladder` times them.
 *
 * Counting. A multiply-add is 2 flops throughout (the convention of every GFLOP/s figure here),
 * and a float is 4 bytes. "Intensity" is flops per byte moved from global memory, ignoring caches.
 *
 * 1. naive: one thread per output (16 x 16 threads per workgroup, x along the columns). Thread
 *    (row, col) walks k, reading A[row, k] and B[k, col]: two 4-byte loads per multiply-add, so
 *    2 flops per 8 bytes = 1/4 flop/byte. Neighbouring threads (x) read neighbouring columns of B
 *    (coalesced) and the same A value (a broadcast), but every thread rereads its whole row and
 *    column: A is read N times over, B M times.
 * 2. tiled: the workgroup's 16 x 16 block of C walks K in tiles of 16. Each thread copies one value
 *    of A's 16 x 16 tile and one of B's into workgroup memory, a barrier, then each thread does 16
 *    multiply-adds from workgroup memory, a second barrier (no one overwrites the tile another is
 *    still reading). Global traffic drops 16-fold: the block loads (16 + 16)·K floats for
 *    16·16·K multiply-adds, 2·16·16 / (4·32) = 4 flop/byte. But each multiply-add still needs two
 *    loads, now from workgroup memory, which is itself too slow to feed one FMA per load.
 * 3. register: each thread owns 4 x 4 outputs (rows ty + 16i, columns tx + 16j: strided, so
 *    neighbouring threads still read neighbouring addresses) and keeps them in 16 named f32
 *    registers. A 64 x 64 block, 256 threads, k-tiles of 8. Per k a thread loads 4 values of A and
 *    4 of B from workgroup memory for 16 FMAs (2 FMAs per load, against 1/2 in step 2), and the
 *    block's global intensity grows fourfold: 2·64·64 / (4·128) = 16 flop/byte. The tiles are stored
 *    as the matrices are (As[m][k], Bs[k][n]) and every load is a scalar.
 * 4. vec4 (production kernel, single-buffered, no swizzle): 128 x 128 blocks, BK 16, 8 x 8 per
 *    thread. Both tiles stored k-major (As[k][m], Bs[k][n]) as rows of vec4, so a thread's 8 values
 *    of A and 8 of B for one k are four vec4 loads; global loads are vec4 too, and transposes happen
 *    on the way into workgroup memory. 64 FMAs per 4 vec4 loads; 2·128·128 / (4·256) = 32 flop/byte.
 * 5. final (production kernel, MATMUL_CONFIGS.large): double buffering (the next k-tile's global
 *    loads are issued before the current tile's math, one barrier per k-tile instead of two) and
 *    the block swizzle (blocks numbered in groups of 8 block-rows, so blocks in flight together
 *    share their A and B tiles in the L2).
 *
 * Bounds in steps 1-3: threads (or outputs) outside C compute nothing or skip the store, and a
 * tile's element outside A or B is loaded as 0 (zero-fill), so a partial k-tile adds nothing. No
 * thread returns before a barrier: barriers stay in uniform control flow.
 *
 * Numerics: each output sums its K products in increasing k in f32 with fma (step 1-3; the
 * production kernel likewise), so the error against the float64 CPU twin is at most about
 * K·eps·Σ|a||b|; the tests allow 1e-6·K·max|a|·max|b|.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
import type { MatmulConfig } from '../matmul/matmul.wgsl.js';

const PARAMS = `struct Params { M: u32, N: u32, K: u32, _pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;`;

/** Step 1's workgroup: 16 x 16 threads, one output each. */
export const LADDER_NAIVE_TILE = 16;

/** Step 1: one thread per output, a dot product of a row of A and a column of B from global memory. */
export function ladderNaiveWgsl(): string {
  return /* wgsl */ `// matmul ladder step 1: naive, one thread per output
${PARAMS}

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let row = g.y;
  let col = g.x; // x varies fastest: neighbouring threads, neighbouring columns of B and C
  if (row >= p.M || col >= p.N) { return; }
  var s = 0.0;
  for (var k = 0u; k < p.K; k++) {
    s = fma(a[row * p.K + k], b[k * p.N + col], s);
  }
  out[row * p.N + col] = s;
}
`;
}

/** Step 2's block and k-tile: 16 x 16 outputs, 16 deep. */
export const LADDER_TILED_TILE = 16;

/** Step 2: tiles of A and B in workgroup memory, one output per thread, two barriers per k-tile. */
export function ladderTiledWgsl(): string {
  return /* wgsl */ `// matmul ladder step 2: workgroup tiles of 16 x 16, one output per thread
${PARAMS}

var<workgroup> As: array<array<f32, 16>, 16>; // As[row in block][k in tile]
var<workgroup> Bs: array<array<f32, 16>, 16>; // Bs[k in tile][column in block]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let row = wg.y * 16u + l.y;
  let col = wg.x * 16u + l.x;
  var s = 0.0;
  let tiles = (p.K + 15u) / 16u;
  for (var t = 0u; t < tiles; t++) {
    let k0 = t * 16u;
    // Each thread copies one value of each tile; outside A or B it writes 0 (zero-fill).
    var av = 0.0;
    if (row < p.M && k0 + l.x < p.K) { av = a[row * p.K + k0 + l.x]; }
    As[l.y][l.x] = av;
    var bv = 0.0;
    if (k0 + l.y < p.K && col < p.N) { bv = b[(k0 + l.y) * p.N + col]; }
    Bs[l.y][l.x] = bv;
    workgroupBarrier(); // the tiles are complete
    for (var kk = 0u; kk < 16u; kk++) {
      s = fma(As[l.y][kk], Bs[kk][l.x], s);
    }
    workgroupBarrier(); // everyone is done reading before the next tile overwrites them
  }
  if (row < p.M && col < p.N) { out[row * p.N + col] = s; }
}
`;
}

/** Step 3's tiling: 64 x 64 blocks, k-tiles of 8, 16 x 16 threads of 4 x 4 outputs. */
export const LADDER_REGISTER = { bm: 64, bn: 64, bk: 8, tm: 4, tn: 4 } as const;

/** Step 3: a 4 x 4 register tile per thread, scalar loads from tiles stored as the matrices are. */
export function ladderRegisterWgsl(): string {
  const { bm, bn, bk, tm, tn } = LADDER_REGISTER;
  const rt = bm / tm; // 16 threads down the block
  const ct = bn / tn; // 16 across
  const threads = rt * ct;
  const acc: string[] = [];
  const step: string[] = [];
  const store: string[] = [];
  for (let i = 0; i < tm; i++) step.push(`let a${i} = As[(ty + ${i * rt}u) * ${bk}u + kk];`);
  for (let j = 0; j < tn; j++) step.push(`let b${j} = Bs[kk * ${bn}u + tx + ${j * ct}u];`);
  for (let i = 0; i < tm; i++)
    for (let j = 0; j < tn; j++) {
      acc.push(`var c${i}${j} = 0.0;`);
      step.push(`c${i}${j} = fma(a${i}, b${j}, c${i}${j});`);
      store.push(`{ let r = rowBase + ty + ${i * rt}u; let c = colBase + tx + ${j * ct}u; if (r < p.M && c < p.N) { out[r * p.N + c] = c${i}${j}; } }`);
    }
  const loads: string[] = [];
  for (let s = 0; s < (bm * bk) / threads; s++) {
    loads.push(`{ let i = lid + ${s * threads}u; let r = i / ${bk}u; let k = i % ${bk}u; var v = 0.0;
      if (rowBase + r < p.M && k0 + k < p.K) { v = a[(rowBase + r) * p.K + k0 + k]; }
      As[i] = v; }`);
  }
  for (let s = 0; s < (bn * bk) / threads; s++) {
    loads.push(`{ let i = lid + ${s * threads}u; let k = i / ${bn}u; let c = i % ${bn}u; var v = 0.0;
      if (k0 + k < p.K && colBase + c < p.N) { v = b[(k0 + k) * p.N + colBase + c]; }
      Bs[i] = v; }`);
  }
  return /* wgsl */ `// matmul ladder step 3: ${bm} x ${bn} blocks, k-tiles of ${bk}, ${tm} x ${tn} outputs per thread in registers
${PARAMS}

var<workgroup> As: array<f32, ${bm * bk}>; // As[m * ${bk} + k]
var<workgroup> Bs: array<f32, ${bk * bn}>; // Bs[k * ${bn} + n]

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let rowBase = wg.y * ${bm}u;
  let colBase = wg.x * ${bn}u;
  let tx = lid % ${ct}u;
  let ty = lid / ${ct}u;
  ${acc.join('\n  ')}
  let tiles = (p.K + ${bk - 1}u) / ${bk}u;
  for (var t = 0u; t < tiles; t++) {
    let k0 = t * ${bk}u;
    ${loads.join('\n    ')}
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk++) {
      ${step.join('\n      ')}
    }
    workgroupBarrier();
  }
  ${store.join('\n  ')}
}
`;
}

/** Step 4: the production kernel's tiling and vec4 layout, single-buffered, blocks row by row. */
export const LADDER_VEC4_CONFIG: MatmulConfig = { name: 'ladder-vec4', bm: 128, bn: 128, bk: 16, tm: 8, tn: 8, doubleBuffer: false, unroll: 4, groupM: 1 };
