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
 * Arithmetic intensity. A block reads (BM + BN)·K values from global memory for 2·BM·BN·K flops:
 * 2·BM·BN / (4·(BM + BN)) = 16 flop/byte at 128×128, against 1/4 flop/byte for a naive thread per
 * output that rereads its row and column. Inside the block the register tile does the same again
 * for workgroup memory: TM·TN multiply-adds per TM + TN loads.
 *
 * Layout in workgroup memory. Both tiles are stored k-major as vec4 rows (As[k][m], Bs[k][n]), so
 * the inner loop reads whole vec4s: a thread's rows are ty·4 .. ty·4+3 plus the same 64 rows further
 * on (and likewise its columns), so neighbouring threads read neighbouring vec4s and each warp's
 * load touches distinct banks or broadcasts.
 *
 * Transposes cost nothing extra: they change only the load phase. A stored [K,M] (transA) and B
 * stored [K,N] are contiguous along the vec4 direction of their tile and are copied vec4 for vec4;
 * A stored [M,K] and B stored [N,K] (transB) are contiguous along k, are read as vec4s along k and
 * scattered into four k-rows of the tile.
 *
 * Memory traffic. Global loads are vec4 (16 bytes) whenever the stored row length is a multiple of
 * 4 (the buffer is then declared array<vec4<f32>>), otherwise scalar; consecutive threads read
 * consecutive addresses of a row. Loads for the next k-tile are issued into registers before the
 * current tile is multiplied (they are in flight during the math) and stored into the second half of
 * a double buffer afterwards, so one barrier per k-tile suffices. Blocks are visited in groups of 8
 * block-rows (a swizzle) so that blocks running at the same time share tiles of A and B in the L2.
 *
 * Bounds. Any M, N, K (primes, 1, non-multiples of the tile): a load whose row or column falls
 * outside the matrix writes zero into the tile (zero-fill, so the extra products add nothing), and
 * a store outside C is skipped. A vec4 is either wholly inside or wholly outside (the row length is
 * a multiple of 4 on the vec4 path). When M, N and K are multiples of the tile, the `aligned`
 * variant drops every check. Workgroups past the last block (the launch is folded into 2-D past
 * 65535) return before the first barrier; that is uniform for the whole workgroup.
 *
 * Epilogue. bias[col] is added and the activation applied to the accumulators before the single
 * store of C; sigmoid takes exp only of -|x|, so large logits give exact 0/1 and never inf/inf.
 */

export type MatmulActivation = 'none' | 'relu' | 'sigmoid';

/** A tiling of the kernel. bm, bn multiples of 4·(threads along them); tm, tn multiples of 4. */
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
}

/** Everything that changes the generated source for one launch. */
export interface MatmulVariant {
  config: MatmulConfig;
  transA: boolean;
  transB: boolean;
  /** A's stored rows have a multiple of 4 elements: vec4 loads. */
  vecA: boolean;
  vecB: boolean;
  /** N is a multiple of 4: vec4 stores of C (and vec4 reads of the bias). */
  vecOut: boolean;
  /** M, N, K multiples of bm, bn, bk (and K > 0): no bounds checks at all. */
  aligned: boolean;
  bias: boolean;
  activation: MatmulActivation;
}

/** Blocks are ordered in groups of this many block-rows (the L2 swizzle). */
export const MATMUL_GROUP_M = 8;

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
  if (c.tm % 4 || c.tn % 4) bad('tm and tn must be multiples of 4');
  if (c.bk % 4) bad('bk must be a multiple of 4');
  if (c.bm % c.tm || c.bn % c.tn) bad('bm must be a multiple of tm and bn of tn');
  const threads = matmulThreads(c);
  for (const w of [c.bm, c.bn]) if ((w * c.bk) % (4 * threads)) bad(`a ${w}×${c.bk} tile does not split into vec4s evenly over ${threads} threads`);
}

const u = (n: number) => `${n}u`;

/** WGSL source for one variant. */
export function matmulWgsl(v: MatmulVariant): string {
  const { bm, bn, bk, tm, tn, doubleBuffer } = v.config;
  validateMatmulConfig(v.config);
  const threads = matmulThreads(v.config);
  const RT = bm / tm; // threads along the rows of the block
  const CT = bn / tn; // threads along the columns
  const aSize = (bm * bk) / 4; // vec4s in one A tile
  const bSize = (bn * bk) / 4;
  const nbuf = doubleBuffer ? 2 : 1;
  const G = tm / 4; // vec4 groups of rows per thread
  const H = tn / 4; // vec4 groups of columns per thread
  const checks = !v.aligned;

  // ---- load phase: global -> registers (fetch) and registers -> workgroup memory (store) ----
  interface Operand {
    name: 'A' | 'B';
    buf: string; // storage binding
    tile: string; // workgroup array
    width: number; // bm or bn: the tile's extent along m (A) or n (B)
    vec: boolean;
    direct: boolean; // stored contiguous along m/n (transA for A, !transB for B)
    limit: string; // M or N
    base: string; // first row (A) or column (B) of the block
  }
  const A: Operand = { name: 'A', buf: 'a', tile: 'As', width: bm, vec: v.vecA, direct: v.transA, limit: 'p.M', base: 'rowBase' };
  const B: Operand = { name: 'B', buf: 'b', tile: 'Bs', width: bn, vec: v.vecB, direct: !v.transB, limit: 'p.N', base: 'colBase' };

  /** Declarations of the prefetch registers and the code that fills them for k-tile start `k0`. */
  function fetch(o: Operand): { decl: string; code: string } {
    const elems = o.vec ? 4 : 1;
    // Stored tile: `rows` × `cols` (in elements), contiguous along cols.
    const rows = o.direct ? bk : o.width;
    const cols = o.direct ? o.width : bk;
    const perRow = cols / elems;
    const slots = (rows * cols) / elems / threads;
    const ty = o.vec ? 'vec4<f32>' : 'f32';
    const zero = o.vec ? 'vec4<f32>(0.0)' : '0.0';
    const ld = o.direct ? o.limit : 'p.K'; // stored row length
    const decl: string[] = [];
    const code: string[] = [];
    for (let s = 0; s < slots; s++) {
      const reg = `r${o.name}${s}`;
      decl.push(`var ${reg}: ${ty};`);
      const i = `(lid + ${u(s * threads)})`;
      const r = `(${i} / ${u(perRow)})`;
      const c = `(${i} % ${u(perRow)}) * ${u(elems)}`;
      // (stored row, stored column) of this slot in the global matrix
      const grow = o.direct ? `k0 + ${r}` : `${o.base} + ${r}`;
      const gcol = o.direct ? `${o.base} + ${c}` : `k0 + ${c}`;
      const rowLimit = o.direct ? 'p.K' : o.limit;
      const colLimit = o.direct ? o.limit : 'p.K';
      const idx = o.vec ? `(grow * ${ld} + gcol) / 4u` : `grow * ${ld} + gcol`;
      const load = `${o.buf}[${idx}]`;
      code.push(`{ let grow = ${grow}; let gcol = ${gcol};`);
      if (checks) code.push(`  ${reg} = ${zero}; if (grow < ${rowLimit} && gcol < ${colLimit}) { ${reg} = ${load}; } }`);
      else code.push(`  ${reg} = ${load}; }`);
    }
    return { decl: decl.join('\n  '), code: code.join('\n    ') };
  }

  /** Code that writes the prefetch registers into the tile half starting at vec4 index `off`. */
  function store(o: Operand): string {
    const elems = o.vec ? 4 : 1;
    const rows = o.direct ? bk : o.width;
    const cols = o.direct ? o.width : bk;
    const perRow = cols / elems;
    const slots = (rows * cols) / elems / threads;
    const w4 = o.width / 4; // vec4s per k-row of the tile
    const code: string[] = [];
    for (let s = 0; s < slots; s++) {
      const reg = `r${o.name}${s}`;
      const i = `(lid + ${u(s * threads)})`;
      code.push(`{ let r = ${i} / ${u(perRow)}; let c = (${i} % ${u(perRow)}) * ${u(elems)};`);
      if (o.direct && o.vec) {
        code.push(`  ${o.tile}[off + r * ${u(w4)} + c / 4u] = ${reg}; }`);
      } else if (o.direct) {
        code.push(`  ${o.tile}[off + r * ${u(w4)} + c / 4u][c % 4u] = ${reg}; }`);
      } else if (o.vec) {
        // r is the row (m or n) of the tile, c .. c+3 four consecutive k: scatter into four k-rows.
        const lines = [0, 1, 2, 3].map((j) => `${o.tile}[off + (c + ${u(j)}) * ${u(w4)} + r / 4u][r % 4u] = ${reg}[${j}];`);
        code.push(`  ${lines.join(' ')} }`);
      } else {
        code.push(`  ${o.tile}[off + c * ${u(w4)} + r / 4u][r % 4u] = ${reg}; }`);
      }
    }
    return code.join('\n    ');
  }

  const fa = fetch(A);
  const fb = fetch(B);

  // ---- the multiply: fully unrolled over the k-tile, accumulators in named registers ----
  const accDecl: string[] = [];
  for (let g = 0; g < G; g++) for (let i = 0; i < 4; i++) for (let h = 0; h < H; h++) accDecl.push(`var c${g * 4 + i}_${h} = vec4<f32>(0.0);`);
  // One block per k of the tile (each reads its own a/b vec4s), all of them straight-line code.
  const steps: string[] = [];
  for (let kk = 0; kk < bk; kk++) {
    const math: string[] = [];
    for (let g = 0; g < G; g++) math.push(`let a${g} = As[aOff + ${u(kk * (bm / 4) + g * RT)}];`);
    for (let h = 0; h < H; h++) math.push(`let b${h} = Bs[bOff + ${u(kk * (bn / 4) + h * CT)}];`);
    for (let g = 0; g < G; g++)
      for (let i = 0; i < 4; i++)
        for (let h = 0; h < H; h++) {
          const c = `c${g * 4 + i}_${h}`;
          math.push(`${c} = fma(vec4<f32>(a${g}[${i}]), b${h}, ${c});`);
        }
    steps.push(`{ // k = ${kk}\n      ${math.join('\n      ')}\n    }`);
  }
  const mathCode = steps.join('\n    ');

  // ---- epilogue ----
  const act =
    v.activation === 'relu'
      ? 'max(x, vec4<f32>(0.0))'
      : v.activation === 'sigmoid'
        ? 'select(e / (1.0 + e), 1.0 / (1.0 + e), x >= vec4<f32>(0.0))'
        : 'x';
  const actFn =
    v.activation === 'sigmoid'
      ? `fn act(x: vec4<f32>) -> vec4<f32> { let e = exp(-abs(x)); return ${act}; }`
      : `fn act(x: vec4<f32>) -> vec4<f32> { return ${act}; }`;
  const epi: string[] = [];
  for (let h = 0; h < H; h++) {
    epi.push(`let col${h} = colBase + (${u(h * CT)} + tx) * 4u;`);
    if (v.bias) {
      if (v.vecOut) {
        epi.push(checks ? `var bias${h} = vec4<f32>(0.0); if (col${h} < p.N) { bias${h} = bias[col${h} / 4u]; }` : `let bias${h} = bias[col${h} / 4u];`);
      } else {
        epi.push(`var bias${h} = vec4<f32>(0.0);`);
        for (let j = 0; j < 4; j++) epi.push(`if (col${h} + ${u(j)} < p.N) { bias${h}[${j}] = bias[col${h} + ${u(j)}]; }`);
      }
    }
  }
  for (let g = 0; g < G; g++)
    for (let i = 0; i < 4; i++) {
      const rowExpr = `rowBase + ${u(g * RT * 4)} + ty * 4u + ${u(i)}`;
      const body: string[] = [];
      for (let h = 0; h < H; h++) {
        const val = `act(c${g * 4 + i}_${h}${v.bias ? ` + bias${h}` : ''})`;
        if (v.vecOut) {
          const st = `out[(row * p.N + col${h}) / 4u] = ${val};`;
          body.push(checks ? `if (col${h} < p.N) { ${st} }` : st);
        } else {
          body.push(`{ let x = ${val};`);
          for (let j = 0; j < 4; j++) body.push(`  if (col${h} + ${u(j)} < p.N) { out[row * p.N + col${h} + ${u(j)}] = x[${j}]; }`);
          body.push('}');
        }
      }
      epi.push(`{ let row = ${rowExpr};`);
      epi.push(checks ? `  if (row < p.M) {\n      ${body.join('\n      ')}\n    } }` : `  ${body.join('\n    ')} }`);
    }

  const vt = (vec: boolean) => (vec ? 'vec4<f32>' : 'f32');
  const bindings = [
    `@group(0) @binding(1) var<storage, read> a: array<${vt(v.vecA)}>;`,
    `@group(0) @binding(2) var<storage, read> b: array<${vt(v.vecB)}>;`,
  ];
  if (v.bias) bindings.push(`@group(0) @binding(3) var<storage, read> bias: array<${vt(v.vecOut)}>;`);
  bindings.push(`@group(0) @binding(${v.bias ? 4 : 3}) var<storage, read_write> out: array<${vt(v.vecOut)}>;`);

  const prologue = doubleBuffer
    ? `
  // Prologue: k-tile 0 into half 0 of the double buffer.
  var k0 = 0u;
  ${fa.code}
  ${fb.code}
  var off = 0u;
  ${store(A)}
  off = 0u;
  ${store(B)}
  workgroupBarrier();
  for (var t = 0u; t < tiles; t++) {
    let cur = t & 1u;
    let more = t + 1u < tiles;
    if (more) {
      // Issue the next tile's global loads now; they complete while the math below runs.
      k0 = (t + 1u) * ${u(bk)};
      ${fa.code}
      ${fb.code}
    }
    let aOff = cur * ${u(aSize)} + ty;
    let bOff = cur * ${u(bSize)} + tx;
    ${mathCode}
    if (more) {
      // The other half was last read in iteration t - 1, before the previous barrier.
      off = (1u - cur) * ${u(aSize)};
      ${store(A)}
      off = (1u - cur) * ${u(bSize)};
      ${store(B)}
    }
    workgroupBarrier();
  }`
    : `
  var k0 = 0u;
  ${fa.code}
  ${fb.code}
  var off = 0u;
  for (var t = 0u; t < tiles; t++) {
    ${store(A)}
    ${store(B)}
    workgroupBarrier();
    if (t + 1u < tiles) {
      k0 = (t + 1u) * ${u(bk)};
      ${fa.code}
      ${fb.code}
    }
    let aOff = ty;
    let bOff = tx;
    ${mathCode}
    workgroupBarrier();
  }`;

  return /* wgsl */ `// matmul ${v.config.name}: ${bm}x${bn}x${bk} block, ${tm}x${tn} per thread, ${threads} threads; transA=${v.transA} transB=${v.transB} vecA=${v.vecA} vecB=${v.vecB} vecOut=${v.vecOut} aligned=${v.aligned} bias=${v.bias} act=${v.activation}
struct Params {
  M: u32, N: u32, K: u32, tilesM: u32,
  tilesN: u32, _p0: u32, _p1: u32, _p2: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
${bindings.join('\n')}

var<workgroup> As: array<vec4<f32>, ${aSize * nbuf}>;
var<workgroup> Bs: array<vec4<f32>, ${bSize * nbuf}>;

${actFn}

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // Which block of C: flat workgroup index, then groups of ${MATMUL_GROUP_M} block-rows (L2 swizzle).
  let wid = wg.x + wg.y * nwg.x;
  if (wid >= p.tilesM * p.tilesN) { return; }
  let width = ${u(MATMUL_GROUP_M)} * p.tilesN;
  let firstM = (wid / width) * ${u(MATMUL_GROUP_M)};
  let groupRows = min(p.tilesM - firstM, ${u(MATMUL_GROUP_M)});
  let inGroup = wid % width;
  let rowBase = (firstM + inGroup % groupRows) * ${u(bm)};
  let colBase = (inGroup / groupRows) * ${u(bn)};
  let tx = lid % ${u(CT)};
  let ty = lid / ${u(CT)};
  let tiles = (p.K + ${u(bk - 1)}) / ${u(bk)};

  ${accDecl.join('\n  ')}
  ${fa.decl}
  ${fb.decl}
${prologue}

  // Epilogue: bias, activation, one store per output.
  ${epi.join('\n  ')}
}
`;
}
