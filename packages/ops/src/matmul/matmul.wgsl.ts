import { ACTIVATION_VEC4_WGSL } from '../shared/activation.wgsl.js';
import type { Activation } from '../shared/activation.js';

/**
 * Matrix multiply with a fused epilogue: C[M,N] = act(op(A)·op(B) + bias), op = transpose or not.
 *
 * Tiling. Each workgroup computes one BM×BN block of C. It walks K in steps of BK: the threads copy
 * a BM×BK tile of A and a BK×BN tile of B from global memory into workgroup memory, wait at a
 * barrier, and then every thread multiplies out its own TM×TN register tile of C from those two
 * tiles. With the large configuration (128×128 blocks, BK = 16, 8×8 per thread, 256 threads) each
 * thread keeps 64 accumulators in registers and, per step of k, reads 8 values of A and 8 of B from
 * workgroup memory (four vec4 loads) to do 64 fused multiply-adds.
 *
 * Arithmetic intensity (a multiply-add counts as 2 flops, a value as 4 bytes). A block reads
 * (BM + BN)·K values from global memory for 2·BM·BN·K flops: 2·BM·BN / (4·(BM + BN)) = 32 flop/byte
 * at 128×128 (8 at 32×32), against 1/4 flop/byte for a naive thread per output that rereads its row
 * and column. Inside the block the register tile does the same for workgroup memory: TM·TN
 * multiply-adds per (TM + TN) values loaded (64 per 16 at 8×8). The matmul ladder
 * (../ladder/) builds this kernel up from the naive one step by step.
 *
 * Layout in workgroup memory. Both tiles are stored k-major as rows of vec4 (As[k][m], Bs[k][n]), so
 * the inner loop reads whole vec4s. A thread's rows are ty·4 .. ty·4+3, then the same again
 * 4·(BM/TM) rows further on, and likewise its columns: neighbouring threads read neighbouring vec4s,
 * so a warp's load hits distinct banks or is a broadcast.
 *
 * Transposes cost nothing extra: they change only the load phase. A stored [K,M] (transA) and B
 * stored [K,N] are contiguous along the vec4 direction of their tile and are copied vec4 for vec4
 * ("direct"); A stored [M,K] and B stored [N,K] (transB) are contiguous along k, are read four
 * k at a time and scattered into four k-rows of the tile ("scatter").
 *
 * Memory traffic. Each thread fetches 4 consecutive elements of a stored row per slot: one vec4
 * load when the stored row length is a multiple of 4 (the same buffer is also bound as
 * array<vec4<f32>>; a uniform flag picks the path), else four scalar loads. Consecutive threads
 * fetch consecutive addresses. The next k-tile's loads are issued into registers before the current
 * tile is multiplied (so they are in flight during the math) and stored into the other half of a
 * double buffer afterwards: one barrier per k-tile. Blocks are visited in groups of 8 block-rows (a
 * swizzle), so blocks that run at the same time share their tiles of A and B in the L2 cache.
 *
 * Bounds. Any M, N, K (primes, 1, non-multiples of the tile): an element outside the matrix is
 * fetched as zero (zero-fill: the extra products add nothing) and a store outside C is skipped. On
 * the vec4 path a vec4 is wholly inside or wholly outside, since the row length is a multiple of 4.
 * Workgroups past the last block (the launch is folded into 2-D past 65535) return before the first
 * barrier, which is uniform for the whole workgroup.
 *
 * Epilogue. bias[col] is added and the activation applied to the accumulators before the single
 * store of C (no second pass over C). relu and sigmoid are the shared activation math
 * (shared/activation.wgsl.ts, the same functions as the elementwise ops): NaN propagates, and sigmoid
 * takes exp only of -|x|, so large logits give exact 0 or 1, never inf/inf. Bias and activation are
 * uniform parameters, not part of the source: fewer pipelines.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */

/** The activation's code in the kernel's parameters. */
export const MATMUL_ACTIVATION_CODE: Record<Activation, number> = { none: 0, relu: 1, sigmoid: 2 };

/** A tiling of the kernel. */
export interface MatmulConfig {
  name: string;
  /** Block of C per workgroup: bm rows × bn columns. */
  bm: number;
  bn: number;
  /** Depth of one k-tile. A multiple of 4. */
  bk: number;
  /** Register tile per thread: tm rows × tn columns (multiples of 4). */
  tm: number;
  tn: number;
  /** Two copies of each tile in workgroup memory: one barrier per k-tile instead of two. */
  doubleBuffer: boolean;
  /** Steps of k written out in straight-line code per loop iteration (divides bk; default bk: all). */
  unroll?: number;
  /**
   * Block-rows per group of the block order (the L2 swizzle; default MATMUL_GROUP_M = 8). 1 walks
   * the blocks row by row: no swizzle (the matmul ladder's step before it, docs/exercises.md).
   */
  groupM?: number;
}

/** Everything that changes the generated source. Sizes, vec4 use, bias and activation are parameters. */
export interface MatmulVariant {
  config: MatmulConfig;
  transA: boolean;
  transB: boolean;
  /**
   * Backward fusions (see matmul-fused.ts). maskA / maskB: the operand is multiplied, as it is
   * loaded, by step(mask) = (mask > 0 ? 1 : 0), mask stored like the operand (binding 7, then 8):
   * ReLU's derivative applied to an upstream gradient without materializing it.
   */
  maskA?: boolean;
  maskB?: boolean;
  /**
   * op(A) gets one more row, all ones, after its M real rows (p.M is M + 1): that row of the
   * product is 1ᵀ·op(B), the column sums of op(B) (a bias gradient), stored into binding 5
   * (read-write here; no bias, no activation).
   */
  onesRowA?: boolean;
  /**
   * A and B are stored as f16 (`enable f16`: the `shader-f16` feature): half the bytes read from
   * global memory; each value is widened to f32 as it is fetched, so the tiles, the products and
   * the accumulation stay f32 (an f16 × f16 product is exact in f32). See matmul-f16.ts.
   */
  f16Inputs?: boolean;
}

/**
 * The fused epilogue's activation on four lanes, chosen at run time by the uniform `p.act`
 * (MATMUL_ACTIVATION_CODE), built from the one WGSL source of the activations
 * (shared/activation.wgsl.ts: relu4 propagates NaN, sigmoid4 is elementwise's sigmoid). Shared by
 * the matmul kernel and the split-K reduction (split-k.wgsl.ts), which applies the epilogue after
 * summing the partial products.
 */
export const MATMUL_ACT_WGSL = `${ACTIVATION_VEC4_WGSL}
fn act(x: vec4<f32>) -> vec4<f32> {
  if (p.act == 1u) { return relu4(x); }
  if (p.act == 2u) { return sigmoid4(x); }
  return x;
}`;

/** Blocks are ordered in groups of this many block-rows (the L2 swizzle). */
export const MATMUL_GROUP_M = 8;

/** Threads per workgroup of a matmul configuration. */
export function matmulThreads(c: MatmulConfig): number {
  return (c.bm / c.tm) * (c.bn / c.tn);
}

/** Bytes of workgroup memory the configuration declares. */
export function matmulWorkgroupBytes(c: MatmulConfig): number {
  return (c.bm + c.bn) * c.bk * 4 * (c.doubleBuffer ? 2 : 1);
}

/** Throws unless the configuration's tiles divide evenly among its threads. */
export function validateMatmulConfig(c: MatmulConfig): void {
  const bad = (why: string) => {
    throw new Error(`matmul config ${c.name}: ${why}`);
  };
  for (const k of ['bm', 'bn', 'bk', 'tm', 'tn'] as const) if (!Number.isInteger(c[k]) || c[k] < 1) bad(`${k} must be a positive integer`);
  if (c.tm % 4 || c.tn % 4) bad('tm and tn must be multiples of 4');
  if (c.bk % 4) bad('bk must be a multiple of 4');
  if (c.bm % c.tm || c.bn % c.tn) bad('bm must be a multiple of tm and bn of tn');
  if (c.unroll !== undefined && (!Number.isInteger(c.unroll) || c.unroll < 1 || c.bk % c.unroll)) bad('unroll must divide bk');
  if (c.groupM !== undefined && (!Number.isInteger(c.groupM) || c.groupM < 1)) bad('groupM must be a positive integer');
  const threads = matmulThreads(c);
  for (const w of [c.bm, c.bn]) if ((w * c.bk) % (4 * threads)) bad(`a ${w}x${c.bk} tile does not split into vec4s evenly over ${threads} threads`);
}

const u = (n: number) => `${n}u`;

/** WGSL source for one variant. Bindings: params, a, a as vec4, b, b as vec4, bias, out. */
export function matmulWgsl(v: MatmulVariant): string {
  const { bm, bn, bk, tm, tn, doubleBuffer } = v.config;
  validateMatmulConfig(v.config);
  const threads = matmulThreads(v.config);
  const RT = bm / tm; // threads along the rows of the block
  const CT = bn / tn; // threads along the columns
  const aSize = (bm * bk) / 4; // vec4s in one A tile
  const bSize = (bn * bk) / 4;
  const G = tm / 4; // vec4 groups of rows per thread
  const H = tn / 4; // vec4 groups of columns per thread
  const unroll = v.config.unroll ?? bk;
  const groupM = v.config.groupM ?? MATMUL_GROUP_M;

  // ---- load phase: global -> registers (fetch), registers -> workgroup memory (store) ----
  interface Operand {
    name: 'A' | 'B';
    tile: 'As' | 'Bs';
    width: number; // bm or bn: the tile's extent along m (A) or n (B)
    direct: boolean; // stored contiguous along m/n (transA for A, !transB for B)
    base: string; // first row (A) or column (B) of the block
  }
  const A: Operand = { name: 'A', tile: 'As', width: bm, direct: v.transA, base: 'rowBase' };
  const B: Operand = { name: 'B', tile: 'Bs', width: bn, direct: !v.transB, base: 'colBase' };
  const slots = (o: Operand) => (o.width * bk) / 4 / threads;
  /** Vec4s per stored row of the tile: along m/n when direct, along k when scattered. */
  const perRow = (o: Operand) => (o.direct ? o.width : bk) / 4;

  /** Fills the prefetch registers with the k-tile that starts at `k0`. */
  function fetch(o: Operand): string {
    const code: string[] = [];
    for (let s = 0; s < slots(o); s++) {
      const i = `lid + ${u(s * threads)}`;
      const r = `(${i}) / ${u(perRow(o))}`;
      const c = `((${i}) % ${u(perRow(o))}) * 4u`;
      // The slot's place in the stored matrix: (row, column .. column + 3).
      const row = o.direct ? `k0 + ${r}` : `${o.base} + ${r}`;
      const col = o.direct ? `${o.base} + ${c}` : `k0 + ${c}`;
      code.push(`r${o.name}${s} = fetch${o.name}(${row}, ${col});`);
    }
    return code.join('\n      ');
  }

  /** Writes the prefetch registers into the tile half that starts at vec4 index `off`. */
  function store(o: Operand, off: string): string {
    const w4 = o.width / 4; // vec4s per k-row of the tile
    const code: string[] = [];
    for (let s = 0; s < slots(o); s++) {
      const i = `lid + ${u(s * threads)}`;
      const reg = `r${o.name}${s}`;
      if (o.direct) {
        // The stored row is a k-row of the tile: one vec4 store.
        code.push(`${o.tile}[${off} + ${i}] = ${reg};`);
      } else {
        // r is a row (m or n) of the tile and the register holds k = c .. c+3: four k-rows.
        code.push(`{ let r = (${i}) / ${u(bk / 4)}; let c = ((${i}) % ${u(bk / 4)}) * 4u;`);
        for (let j = 0; j < 4; j++) code.push(`  ${o.tile}[${off} + (c + ${u(j)}) * ${u(w4)} + r / 4u][r % 4u] = ${reg}[${j}];`);
        code.push('}');
      }
    }
    return code.join('\n      ');
  }

  /** An element (or vec4) of A or B as f32: widened from f16 when the inputs are f16. */
  const wide = (e: string, t: string) => (v.f16Inputs ? `${t}(${e})` : e);
  const elem = v.f16Inputs ? 'f16' : 'f32';

  /** fetchA / fetchB: 4 consecutive elements of a stored row, zero outside the matrix. */
  function fetchFn(o: Operand): string {
    const x = o.name.toLowerCase();
    const masked = o.name === 'A' ? v.maskA : v.maskB;
    const ones = o.name === 'A' && v.onesRowA;
    // The stored matrix: [K, M] for A with transA, [M, K] without; [K, N] for B, [N, K] with transB.
    // With the ones row, A's real rows are p.M - 1 and the ones row is op(A)'s row p.M - 1.
    const limit = o.name === 'A' ? (ones ? 'mReal' : 'p.M') : 'p.N';
    const rows = o.direct ? 'p.K' : limit;
    const cols = o.direct ? limit : 'p.K';
    const mask = masked
      ? `
    // The operand times step(mask): ReLU's derivative, as mul(g, step(y)) computes it.
    var s = vec4<f32>(0.0);
    for (var j = 0u; j < 4u; j++) { if (col + j < ${cols}) { s[j] = select(0.0, 1.0, mask${o.name}[i + j] > 0.0); } }
    v = v * s;`
      : '';
    // The ones row: a stored column (transA: A is [K, M]) or a stored row ([M, K]) of ones.
    const onesRow = !ones
      ? ''
      : o.direct
        ? `
  if (row < p.K) { for (var j = 0u; j < 4u; j++) { if (col + j == mReal) { v[j] = 1.0; } } }`
        : `
  if (row == mReal) { for (var j = 0u; j < 4u; j++) { if (col + j < p.K) { v[j] = 1.0; } } }`;
    return `fn fetch${o.name}(row: u32, col: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);${ones ? '\n  let mReal = p.M - 1u;' : ''}
  if (row < ${rows}) {
    let i = row * ${cols} + col;
    if (p.vec${o.name} != 0u) {
      if (col < ${cols}) { v = ${wide(`${x}4[i / 4u]`, 'vec4<f32>')}; }
    } else {
      if (col < ${cols}) { v[0] = ${wide(`${x}[i]`, 'f32')}; }
      if (col + 1u < ${cols}) { v[1] = ${wide(`${x}[i + 1u]`, 'f32')}; }
      if (col + 2u < ${cols}) { v[2] = ${wide(`${x}[i + 2u]`, 'f32')}; }
      if (col + 3u < ${cols}) { v[3] = ${wide(`${x}[i + 3u]`, 'f32')}; }
    }${mask}
  }${onesRow}
  return v;
}`;
  }

  // ---- the multiply: `unroll` steps of k in straight-line code, accumulators in named registers ----
  const accDecl: string[] = [];
  for (let g = 0; g < G; g++) for (let i = 0; i < 4; i++) for (let h = 0; h < H; h++) accDecl.push(`var c${g * 4 + i}_${h} = vec4<f32>(0.0);`);
  const steps: string[] = [];
  for (let kk = 0; kk < unroll; kk++) {
    const math: string[] = [];
    for (let g = 0; g < G; g++) math.push(`let a${g} = As[aOff + ${u(kk * (bm / 4) + g * RT)}];`);
    for (let h = 0; h < H; h++) math.push(`let b${h} = Bs[bOff + ${u(kk * (bn / 4) + h * CT)}];`);
    for (let g = 0; g < G; g++)
      for (let i = 0; i < 4; i++)
        for (let h = 0; h < H; h++) {
          const c = `c${g * 4 + i}_${h}`;
          math.push(`${c} = fma(vec4<f32>(a${g}[${i}]), b${h}, ${c});`);
        }
    steps.push(`{ // k + ${kk}\n        ${math.join('\n        ')}\n      }`);
  }
  const multiply = (aTile: string, bTile: string) =>
    `for (var kk = 0u; kk < ${u(bk)}; kk += ${u(unroll)}) {
      let aOff = ${aTile} + ty + kk * ${u(bm / 4)};
      let bOff = ${bTile} + tx + kk * ${u(bn / 4)};
      ${steps.join('\n      ')}
    }`;

  // ---- epilogue ----
  const epi: string[] = [];
  for (let h = 0; h < H; h++) {
    epi.push(`let col${h} = colBase + (${u(h * CT)} + tx) * 4u;`);
    epi.push(`var bias${h} = vec4<f32>(0.0);`);
    epi.push(`if (p.hasBias != 0u) { bias${h} = loadBias(col${h}); }`);
  }
  for (let g = 0; g < G; g++)
    for (let i = 0; i < 4; i++) {
      const stores = Array.from({ length: H }, (_, h) => `store4(outBase, row, col${h}, act(c${g * 4 + i}_${h} + bias${h}));`);
      epi.push(`{ let row = rowBase + ${u(g * RT * 4)} + ty * 4u + ${u(i)};`);
      epi.push(
        v.onesRowA
          ? `  if (row + 1u < p.M) { ${stores.join(' ')} } else if (row + 1u == p.M) { ${Array.from({ length: H }, (_, h) => `storeSums(col${h}, c${g * 4 + i}_${h});`).join(' ')} } }`
          : `  if (row < p.M) { ${stores.join(' ')} } }`,
      );
    }

  // The main loop over k-tiles (`tiles`, a WGSL let in main).
  const loop = doubleBuffer
    ? `
  // Prologue: k-tile 0 into half 0 of the double buffer.
  var k0 = kStart;
  {
      ${fetch(A)}
      ${fetch(B)}
      ${store(A, '0u')}
      ${store(B, '0u')}
  }
  workgroupBarrier();
  for (var t = 0u; t < tiles; t++) {
    let cur = t & 1u;
    let more = t + 1u < tiles;
    if (more) {
      // Issue the next tile's global loads now; they complete while the math below runs.
      k0 = kStart + (t + 1u) * ${u(bk)};
      ${fetch(A)}
      ${fetch(B)}
    }
    ${multiply(`cur * ${u(aSize)}`, `cur * ${u(bSize)}`)}
    if (more) {
      // The other half was last read in iteration t - 1, before the previous barrier.
      let aNext = (1u - cur) * ${u(aSize)};
      let bNext = (1u - cur) * ${u(bSize)};
      ${store(A, 'aNext')}
      ${store(B, 'bNext')}
    }
    workgroupBarrier();
  }`
    : `
  var k0 = kStart;
  {
      ${fetch(A)}
      ${fetch(B)}
  }
  for (var t = 0u; t < tiles; t++) {
    {
      ${store(A, '0u')}
      ${store(B, '0u')}
    }
    workgroupBarrier();
    if (t + 1u < tiles) {
      k0 = kStart + (t + 1u) * ${u(bk)};
      ${fetch(A)}
      ${fetch(B)}
    }
    ${multiply('0u', '0u')}
    workgroupBarrier();
  }`;

  const maskBindings: string[] = [];
  if (v.maskA) maskBindings.push(`@group(0) @binding(7) var<storage, read> maskA: array<f32>;`);
  if (v.maskB) maskBindings.push(`@group(0) @binding(${v.maskA ? 8 : 7}) var<storage, read> maskB: array<f32>;`);
  const regs = [A, B].flatMap((o) => Array.from({ length: slots(o) }, (_, s) => `var r${o.name}${s}: vec4<f32>;`));

  const fused = [v.maskA && 'maskA', v.maskB && 'maskB', v.onesRowA && 'onesRowA', v.f16Inputs && 'f16Inputs'].filter(Boolean).join(' ');
  return /* wgsl */ `${v.f16Inputs ? 'enable f16;\n' : ''}// matmul ${v.config.name}: ${bm}x${bn}x${bk} block, ${tm}x${tn} per thread, ${threads} threads, unroll ${unroll}, group ${groupM}; transA=${v.transA} transB=${v.transB}${fused ? ` fused: ${fused}` : ''}
struct Params {
  M: u32, N: u32, K: u32, tilesM: u32,
  tilesN: u32, vecA: u32, vecB: u32, hasBias: u32,
  act: u32, splits: u32, kChunk: u32, _p2: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<${elem}>;
@group(0) @binding(2) var<storage, read> a4: array<vec4<${elem}>>;
@group(0) @binding(3) var<storage, read> b: array<${elem}>;
@group(0) @binding(4) var<storage, read> b4: array<vec4<${elem}>>;
${v.onesRowA ? '@group(0) @binding(5) var<storage, read_write> sums: array<f32>;' : '@group(0) @binding(5) var<storage, read> bias: array<f32>;'}
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
${maskBindings.join('\n')}

var<workgroup> As: array<vec4<f32>, ${aSize * (doubleBuffer ? 2 : 1)}>;
var<workgroup> Bs: array<vec4<f32>, ${bSize * (doubleBuffer ? 2 : 1)}>;

${fetchFn(A)}

${fetchFn(B)}

${
  v.onesRowA
    ? `fn loadBias(col: u32) -> vec4<f32> { return vec4<f32>(0.0); }

fn storeSums(col: u32, x: vec4<f32>) {
  for (var j = 0u; j < 4u; j++) { if (col + j < p.N) { sums[col + j] = x[j]; } }
}`
    : `fn loadBias(col: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) { if (col + j < p.N) { v[j] = bias[col + j]; } }
  return v;
}`
}

${MATMUL_ACT_WGSL}

fn store4(base: u32, row: u32, col: u32, x: vec4<f32>) {
  let i = base + row * p.N + col;
  if (col < p.N) { out[i] = x[0]; }
  if (col + 1u < p.N) { out[i + 1u] = x[1]; }
  if (col + 2u < p.N) { out[i + 2u] = x[2]; }
  if (col + 3u < p.N) { out[i + 3u] = x[3]; }
}

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // Which block of C: the flat workgroup index, in groups of ${groupM} block-rows (L2 swizzle).
  // Split-K: workgroup w computes block w % blocks over the k-range of split w / blocks, and
  // stores its partial sums in slice w / blocks of out (p.splits = 1: all of K, straight into C).
  let blocks = p.tilesM * p.tilesN;
  let flat = wg.x + wg.y * nwg.x;
  if (flat >= blocks * p.splits) { return; }
  let split = flat / blocks;
  let wid = flat % blocks;
  let kStart = split * p.kChunk;
  let kEnd = min(p.K, kStart + p.kChunk);
  let outBase = split * p.M * p.N;
  let width = ${u(groupM)} * p.tilesN;
  let firstM = (wid / width) * ${u(groupM)};
  let groupRows = min(p.tilesM - firstM, ${u(groupM)});
  let inGroup = wid % width;
  let rowBase = (firstM + inGroup % groupRows) * ${u(bm)};
  let colBase = (inGroup / groupRows) * ${u(bn)};
  let tx = lid % ${u(CT)};
  let ty = lid / ${u(CT)};
  let tiles = (kEnd - kStart + ${u(bk - 1)}) / ${u(bk)};

  ${accDecl.join('\n  ')}
  ${regs.join('\n  ')}
${loop}

  // Epilogue: bias, activation, one store per output.
  ${epi.join('\n  ')}
}
`;
}
