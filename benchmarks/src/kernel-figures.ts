/**
 * `pnpm figures`: draws the kernel pictures of docs/kernels.md and docs/performance.md into
 * docs/images/ as SVG, from the kernels' own constants (MATMUL_CONFIGS, MATMUL_GROUP_M, the wasm
 * module's MATMUL_MR/NR/KC) and from the latest `pnpm bench ladder` results, so that a change to a
 * tiling redraws its picture instead of leaving a stale one.
 *
 *   matmul-tiling.svg    the block / k-tile / register-tile map of the WGSL matmul (large config)
 *   matmul-vec4.svg      which thread reads which vec4 of the k-major tiles
 *   matmul-swizzle.svg   block order without and with the swizzle, and the tiles the blocks in flight load
 *   wasm-goto.svg        the Goto loop nest of the wasm matmul, with the cache each operand lives in
 *   reduce-tree.svg      a row reduced by 8 lanes: the strided fold, then the tree of barriers
 *   roofline-<device>.svg  the roofline of each device with the ladder's steps placed on it
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createWasmDevice } from '@saddle/tensor';
import { MATMUL_CONFIGS, MATMUL_GROUP_M, MATMUL_LADDER, matmulThreads } from '@saddle/ops';
import { repoRoot } from './git.js';
import type { LadderResult } from './ladder.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];

class Svg {
  private parts: string[] = [];
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}
  rect(x: number, y: number, w: number, h: number, fill: string, stroke = '#333', extra = ''): this {
    this.parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}" stroke="${stroke}" stroke-width="0.8" ${extra}/>`);
    return this;
  }
  text(x: number, y: number, s: string, opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; bold?: boolean; fill?: string } = {}): this {
    this.parts.push(
      `<text x="${x}" y="${y}" font-family="sans-serif" font-size="${opts.size ?? 12}" text-anchor="${opts.anchor ?? 'start'}"${opts.bold ? ' font-weight="bold"' : ''} fill="${opts.fill ?? '#111'}">${esc(s)}</text>`,
    );
    return this;
  }
  line(x1: number, y1: number, x2: number, y2: number, stroke = '#333', extra = ''): this {
    this.parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${stroke}" stroke-width="1" ${extra}/>`);
    return this;
  }
  raw(s: string): this {
    this.parts.push(s);
    return this;
  }
  toString(): string {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}">
<rect width="100%" height="100%" fill="white"/>
${this.parts.join('\n')}
</svg>
`;
  }
}

/** The WGSL matmul's map: C of 4×3 blocks, one block's k-tile of A and B, its 16×16 threads and one thread's 8×8 outputs. */
function matmulTiling(): string {
  const c = MATMUL_CONFIGS.large;
  const rt = c.bm / c.tm;
  const ct = c.bn / c.tn;
  const s = new Svg(900, 520);
  s.text(
    20,
    24,
    `WGSL matmul, config '${c.name}': ${c.bm}×${c.bn} block of C per workgroup, k-tiles of ${c.bk}, ${c.tm}×${c.tn} outputs per thread, ${matmulThreads(c)} threads`,
    { size: 14, bold: true },
  );
  // Left: A (M×K), B (K×N), C (M×N) in blocks. Units: 1 block = 60 px.
  const u = 60;
  const ox = 160,
    oy = 170; // C's corner
  const blocksM = 4,
    blocksN = 3,
    kTiles = 2; // K drawn as 2 blocks wide
  // B above C
  for (let j = 0; j < blocksN; j++) s.rect(ox + j * u, oy - kTiles * u - 20, u, kTiles * u, j === 1 ? '#f6d8b0' : '#f3f3f3');
  s.rect(ox + u, oy - kTiles * u - 20 + (u * kTiles * 3) / 8, u, (u * kTiles) / 8, '#f28e2b').text(20, oy - kTiles * u + 10, `B [K, N]: the block's`, {
    size: 11,
  });
  s.text(20, oy - kTiles * u + 24, 'column strip; dark: one', { size: 11 }).text(20, oy - kTiles * u + 38, `k-tile (${c.bk}×${c.bn})`, { size: 11 });
  // A left of C
  for (let i = 0; i < blocksM; i++) s.rect(ox - kTiles * u - 20, oy + i * u, kTiles * u, u, i === 2 ? '#c9d9ec' : '#f3f3f3');
  s.rect(ox - kTiles * u - 20 + (u * kTiles * 3) / 8, oy + 2 * u, (u * kTiles) / 8, u, '#4e79a7');
  s.text(ox - kTiles * u - 20, oy + blocksM * u + 18, 'A [M, K]: row strip;', { size: 11 }).text(
    ox - kTiles * u - 20,
    oy + blocksM * u + 32,
    `dark: k-tile (${c.bm}×${c.bk})`,
    { size: 11 },
  );
  // C
  for (let i = 0; i < blocksM; i++) for (let j = 0; j < blocksN; j++) s.rect(ox + j * u, oy + i * u, u, u, i === 2 && j === 1 ? '#59a14f' : '#fafafa');
  s.text(ox + 4, oy + blocksM * u + 18, `C [M, N] in ${c.bm}×${c.bn} blocks; green: one workgroup's`, { size: 11 });
  // Zoom lines to the block
  const zx = 470,
    zy = 60,
    zs = 400; // zoomed block: 400 px for bm rows
  s.line(ox + 2 * u, oy + 2 * u, zx, zy, '#999', 'stroke-dasharray="4 3"').line(ox + 2 * u, oy + 3 * u, zx, zy + zs, '#999', 'stroke-dasharray="4 3"');
  s.rect(zx, zy, zs, zs, '#eef6ec');
  const cell = zs / c.bm; // px per output
  // Thread grid lines: each thread (tx, ty) owns rows 4ty..4ty+3 and 4ty + 4rt .. (tm/4 groups), same for columns.
  for (let g = 0; g <= rt; g++) s.line(zx, zy + g * 4 * cell, zx + zs, zy + g * 4 * cell, '#cfe3cc');
  for (let g = 0; g <= ct; g++) s.line(zx + g * 4 * cell, zy, zx + g * 4 * cell, zy + zs, '#cfe3cc');
  // Highlight thread (tx, ty) = (2, 1) and (0, 0)
  const threadsShown: [number, number, string][] = [
    [0, 0, '#e15759'],
    [2, 1, '#b07aa1'],
  ];
  for (const [tx, ty, col] of threadsShown) {
    for (let gr = 0; gr < c.tm / 4; gr++)
      for (let gc = 0; gc < c.tn / 4; gc++) {
        const r0 = gr * rt * 4 + ty * 4;
        const c0 = gc * ct * 4 + tx * 4;
        s.rect(zx + c0 * cell, zy + r0 * cell, 4 * cell, 4 * cell, col, col);
      }
  }
  s.text(zx, zy + zs + 18, `One block: ${rt}×${ct} threads. Thread (tx, ty) owns ${c.tm / 4}×${c.tn / 4} patches of 4×4 outputs:`, { size: 11 });
  s.text(zx, zy + zs + 32, `rows 4·ty..4·ty+3 and ${4 * rt} further, columns 4·tx..4·tx+3 and ${4 * ct} further.`, { size: 11 });
  s.text(zx, zy + zs + 46, 'Red: thread (0, 0); purple: thread (2, 1). Its 64 accumulators are 16 vec4 registers.', { size: 11 });
  return s.toString();
}

/** Which thread reads which vec4 of a k-row of the k-major tiles As[k][m] (and Bs[k][n]). */
function matmulVec4(): string {
  const c = MATMUL_CONFIGS.large;
  const rt = c.bm / c.tm; // threads down the block: ty in 0..rt-1
  const vecs = c.bm / 4; // vec4s per k-row of As
  const s = new Svg(900, 300);
  s.text(20, 24, `One k-row of the A tile, stored k-major: As[k] holds ${c.bm} values of m as ${vecs} vec4s`, { size: 14, bold: true });
  const w = 820 / vecs;
  const y = 60;
  for (let v = 0; v < vecs; v++) {
    const ty = v % rt;
    s.rect(40 + v * w, y, w, 36, PALETTE[ty % PALETTE.length]!, '#333', `fill-opacity="${ty < 4 ? 0.9 : 0.25}"`);
    s.text(40 + v * w + w / 2, y + 23, `${v}`, { size: 9, anchor: 'middle' });
  }
  s.text(40, y + 54, `vec4 index (m = 4·index .. 4·index+3). Colour: the thread row ty that reads it (ty = index mod ${rt}); ty = 0..3 bright.`, { size: 11 });
  s.text(
    40,
    y + 72,
    `Thread (tx, ty) reads vec4s ty and ty + ${rt} of As[k] (its ${c.tm} rows) and tx and tx + ${c.bn / c.tn} of Bs[k] (its ${c.tn} columns):`,
    { size: 11 },
  );
  s.text(40, y + 88, `4 vec4 loads feed ${c.tm * c.tn} FMAs. Threads with the same ty read the same vec4 (a broadcast); neighbouring ty read neighbouring`, {
    size: 11,
  });
  s.text(40, y + 104, "vec4s (distinct banks): no bank conflicts. A k-major tile makes a thread's 4 rows one vec4 instead of 4 scalar loads", { size: 11 });
  s.text(40, y + 120, `from 4 rows of an m-major tile (the ladder's step 3 -> step 4).`, { size: 11 });
  // The load side: a stored [M, K] row scattered into four k-rows.
  const y2 = y + 150;
  s.text(40, y2, 'Loading A stored [M, K] (no transA): one global vec4 = 4 consecutive k of one row m, scattered into 4 k-rows of the tile:', {
    size: 11,
    bold: true,
  });
  for (let j = 0; j < 4; j++) s.rect(60 + j * 40, y2 + 14, 40, 24, '#c9d9ec').text(60 + j * 40 + 20, y2 + 31, `k${j}`, { size: 10, anchor: 'middle' });
  for (let j = 0; j < 4; j++) {
    s.line(60 + j * 40 + 20, y2 + 38, 360, y2 + 26 + j * 16 - 8, '#999');
    s.rect(360, y2 + 14 + j * 16 - 8, 300, 14, '#f3f3f3').rect(360 + 60, y2 + 14 + j * 16 - 8, 10, 14, '#4e79a7');
    s.text(670, y2 + 14 + j * 16 + 3, `As[k${j}][m]`, { size: 10 });
  }
  return s.toString();
}

/** Distinct A block-rows and B block-columns among the first `inFlight` blocks of the launch order. */
export function tilesLoaded(tilesM: number, tilesN: number, groupM: number, inFlight: number): { rows: number; cols: number; order: number[][] } {
  const order = Array.from({ length: tilesM }, () => new Array<number>(tilesN).fill(-1));
  const rows = new Set<number>();
  const cols = new Set<number>();
  for (let wid = 0; wid < tilesM * tilesN; wid++) {
    // The kernel's arithmetic (matmul.wgsl.ts, main).
    const width = groupM * tilesN;
    const firstM = Math.floor(wid / width) * groupM;
    const groupRows = Math.min(tilesM - firstM, groupM);
    const inGroup = wid % width;
    const r = firstM + (inGroup % groupRows);
    const c = Math.floor(inGroup / groupRows);
    order[r]![c] = wid;
    if (wid < inFlight) {
      rows.add(r);
      cols.add(c);
    }
  }
  return { rows: rows.size, cols: cols.size, order };
}

function matmulSwizzle(): string {
  const tilesM = 16,
    tilesN = 16,
    inFlight = 32;
  const s = new Svg(900, 470);
  s.text(20, 24, `Block order of a ${tilesM}×${tilesN}-block C, the first ${inFlight} blocks in flight highlighted`, { size: 14, bold: true });
  const cell = 22;
  [1, MATMUL_GROUP_M].forEach((g, p) => {
    const { rows, cols, order } = tilesLoaded(tilesM, tilesN, g, inFlight);
    const ox = 40 + p * 440,
      oy = 60;
    for (let r = 0; r < tilesM; r++)
      for (let c = 0; c < tilesN; c++) {
        const w = order[r]![c]!;
        s.rect(ox + c * cell, oy + r * cell, cell, cell, w < inFlight ? '#59a14f' : '#f6f6f6', '#bbb');
        if (w < 100) s.text(ox + c * cell + cell / 2, oy + r * cell + 15, `${w}`, { size: 8, anchor: 'middle' });
      }
    s.text(ox, oy + tilesM * cell + 20, g === 1 ? 'groupM = 1: row by row (no swizzle)' : `groupM = ${g}: groups of ${g} block-rows (the kernel's default)`, {
      size: 12,
      bold: true,
    });
    s.text(ox, oy + tilesM * cell + 38, `blocks in flight read ${rows} row strips of A + ${cols} column strips of B = ${rows + cols} strips`, { size: 12 });
  });
  return s.toString();
}

/**
 * The Goto / BLIS loop nest of the wasm matmul, with the sizes from the SIMD128 module's constants
 * (the relaxed-SIMD build's tile has 5 rows: MATMUL_MR differs, the nest does not).
 */
async function wasmGoto(): Promise<string> {
  const d = await createWasmDevice({ threads: 1, build: 'simd128' });
  const mr = d.constant('MATMUL_MR'),
    nr = d.constant('MATMUL_NR'),
    kc = d.constant('MATMUL_KC');
  d.destroy();
  const mc = 64,
    nc = 128; // chooseWasmMatmulTiles' default macro tile
  const s = new Svg(900, 450);
  s.text(20, 24, "The wasm matmul's loop nest (GotoBLAS / BLIS), outermost first: SIMD128 build (relaxed: 5-row strips)", { size: 14, bold: true });
  const loops: [string, string, string][] = [
    [`for each macro tile of C (${mc}×${nc}), taken from an atomic counter`, 'threads: one tile at a time, until none is left', '#f3f3f3'],
    [`  for each K block of at most ${kc} (kc = ⌈K / ⌈K/${kc}⌉⌉)`, `A block ${mc}×kc = ${(mc * kc * 4) / 1024} KiB stays in L2`, '#e8eef6'],
    [`    for each ${nr}-column strip of the macro tile`, `B micro-panel kc×${nr} = ${(kc * nr * 4) / 1024} KiB stays in L1`, '#fdf0e0'],
    [`      for each ${mr}-row strip of the macro tile`, `A micro-panel kc×${mr} = ${(kc * mr * 4) / 1024} KiB streams from L2`, '#eaf4e8'],
    [
      `        micro-kernel: ${mr}×${nr} outputs in ${(mr * nr) / 4} f32x4 registers, kc steps`,
      `per k: 2 loads of B, ${mr} splats of A, ${(mr * nr) / 4} mul + ${(mr * nr) / 4} add`,
      '#fbe3e4',
    ],
  ];
  loops.forEach(([what, where, fill], i) => {
    const x = 30 + i * 30,
      y = 50 + i * 60;
    s.rect(x, y, 840 - i * 60, 360 - i * 60, fill);
    s.text(x + 10, y + 20, what.trim(), { size: 12, bold: true }).text(x + 10, y + 38, where, { size: 11, fill: '#444' });
  });
  s.text(
    30,
    432,
    `Packing (before the nest, once per product): op(A) into ${mr}-row panels [K][${mr}], op(B) into ${nr}-column panels [K][${nr}], zero-padded.`,
    { size: 11 },
  );
  return s.toString();
}

/** A row of 32 elements reduced by 8 lanes: a strided fold, then log2(8) = 3 tree steps with barriers. */
function reduceTree(): string {
  const n = 32,
    lanes = 8;
  const s = new Svg(900, 400);
  s.text(20, 24, `Reducing one row of ${n} elements with ${lanes} lanes (reduce.wgsl.ts)`, { size: 14, bold: true });
  const w = 25;
  for (let i = 0; i < n; i++) {
    s.rect(40 + i * w, 50, w, 24, PALETTE[i % lanes]!, '#333', 'fill-opacity="0.8"').text(40 + i * w + w / 2, 66, `${i}`, { size: 9, anchor: 'middle' });
  }
  s.text(
    40,
    92,
    `1. Fold: lane l adds elements l, l + ${lanes}, l + ${2 * lanes}, ... (stride = lanes: neighbouring lanes read neighbouring addresses) in a register.`,
    { size: 11 },
  );
  let y = 120;
  let active = lanes;
  const lw = 90;
  for (let l = 0; l < lanes; l++)
    s.rect(40 + l * lw, y, lw - 10, 26, PALETTE[l]!, '#333', 'fill-opacity="0.8"').text(40 + l * lw + 40, y + 17, `lane ${l}`, { size: 10, anchor: 'middle' });
  s.text(40 + lanes * lw, y + 17, 'sv[lane]', { size: 10 });
  while (active > 1) {
    const half = active / 2;
    const y2 = y + 60;
    for (let l = 0; l < half; l++) {
      s.line(40 + (l + half) * lw + 40, y + 26, 40 + l * lw + 40, y2, '#666');
      s.line(40 + l * lw + 40, y + 26, 40 + l * lw + 40, y2, '#666');
      s.rect(40 + l * lw, y2, lw - 10, 26, '#ddd').text(40 + l * lw + 40, y2 + 17, `sv[${l}] += sv[${l + half}]`, { size: 9, anchor: 'middle' });
    }
    s.text(40 + lanes * lw - 100, y2 - 14, 'workgroupBarrier()', { size: 10, fill: '#a33' });
    y = y2;
    active = half;
  }
  s.text(40, y + 50, `2. Tree: ${Math.log2(lanes)} steps, each halving the active lanes after a barrier; lane 0 writes the row's result. With subgroups the`, {
    size: 11,
  });
  s.text(40, y + 66, 'last steps (down from the subgroup size) run in registers instead (subgroupAdd): fewer barriers.', { size: 11 });
  return s.toString();
}

/** A log-log roofline of one ladder result: min(peak, intensity · bandwidth) and the steps with a fixed intensity. */
function roofline(r: LadderResult): string {
  const W = 760,
    H = 460,
    L = 70,
    B = 60,
    T = 50,
    R = 220;
  const s = new Svg(W, H);
  const peak = r.peak.all;
  const bw = r.bandwidth;
  const xs = [1 / 16, 64];
  const ymin = Math.min(...r.rows.map((x) => x.gflops), (bw * xs[0]!) / 2) / 2;
  const ymax = peak * 3;
  const X = (ai: number) => L + ((Math.log10(ai) - Math.log10(xs[0]!)) / (Math.log10(xs[1]!) - Math.log10(xs[0]!))) * (W - L - R);
  const Y = (g: number) => H - B - ((Math.log10(g) - Math.log10(ymin)) / (Math.log10(ymax) - Math.log10(ymin))) * (H - B - T);
  s.text(20, 24, `Roofline, ${r.device} (${r.description.slice(0, 60)}), ${r.size}³ ladder, ${r.date}`, { size: 13, bold: true });
  s.line(L, H - B, W - R, H - B).line(L, T, L, H - B);
  for (let e = -4; e <= 6; e++) {
    const ai = 2 ** e;
    if (ai < xs[0]! || ai > xs[1]!) continue;
    s.line(X(ai), H - B, X(ai), H - B + 4).text(X(ai), H - B + 18, ai >= 1 ? `${ai}` : `1/${1 / ai}`, { size: 10, anchor: 'middle' });
  }
  for (let e = -3; e <= 5; e++) {
    const g = 10 ** e;
    if (g < ymin || g > ymax) continue;
    s.line(L - 4, Y(g), L, Y(g)).text(L - 6, Y(g) + 4, `${g}`, { size: 10, anchor: 'end' });
  }
  s.text(W - R + 20, T + r.rows.length * 22 + 20, 'A point above the sloped roof', { size: 10, fill: '#555' })
    .text(W - R + 20, T + r.rows.length * 22 + 34, 'found its data in a cache, not', { size: 10, fill: '#555' })
    .text(W - R + 20, T + r.rows.length * 22 + 48, 'in memory: the roof counts only', { size: 10, fill: '#555' })
    .text(W - R + 20, T + r.rows.length * 22 + 62, 'memory traffic.', { size: 10, fill: '#555' })
    .text(W - R + 20, T + r.rows.length * 22 + 80, `Load average ${r.load[0]!.toFixed(1)}: a shared machine.`, { size: 10, fill: '#555' });
  s.text((L + W - R) / 2, H - 20, 'arithmetic intensity (flop per byte of memory traffic, ignoring caches)', { size: 11, anchor: 'middle' });
  s.raw(
    `<text x="18" y="${(T + H - B) / 2}" font-family="sans-serif" font-size="11" transform="rotate(-90 18 ${(T + H - B) / 2})" text-anchor="middle">GFLOP/s</text>`,
  );
  // The roof.
  const knee = peak / bw;
  const pts = [xs[0]!, Math.min(Math.max(knee, xs[0]!), xs[1]!), xs[1]!].map((ai) => `${X(ai)},${Y(Math.min(peak, ai * bw))}`).join(' ');
  s.raw(`<polyline points="${pts}" fill="none" stroke="#333" stroke-width="2"/>`);
  s.text(X(xs[1]!) - 4, Y(peak) - 6, `peak ${peak.toFixed(1)} GFLOP/s`, { size: 10, anchor: 'end' });
  s.text(X(xs[0]!) + 4, Y(xs[0]! * bw) - 8, `copy ${bw.toFixed(1)} GB/s`, { size: 10 });
  r.rows.forEach((row, i) => {
    // The intensity the code states today (the result may predate a correction of it).
    const ai = MATMUL_LADDER.find((x) => x.device === r.device && x.name === row.step)?.intensity ?? row.intensity;
    if (ai === null) return;
    const col = PALETTE[i % PALETTE.length]!;
    s.raw(`<circle cx="${X(ai)}" cy="${Y(row.gflops)}" r="5" fill="${col}" stroke="#222"/>`);
    s.rect(W - R + 20, T + i * 22, 12, 12, col).text(W - R + 38, T + i * 22 + 10, `${row.step}: ${row.gflops.toFixed(2)} GFLOP/s`, { size: 10 });
  });
  return s.toString();
}

/** The newest ladder result of each device in benchmarks/results. */
function latestLadders(root: string): LadderResult[] {
  const dir = join(root, 'benchmarks', 'results');
  const files = readdirSync(dir)
    .filter((f) => /^ladder-(webgpu|wasm)-.*\.json$/.test(f))
    .sort();
  const byDevice = new Map<string, LadderResult>();
  for (const f of files) {
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as LadderResult;
    byDevice.set(r.device, r);
  }
  return [...byDevice.values()];
}

export async function drawKernelFigures(): Promise<string[]> {
  const root = repoRoot();
  const out = join(root, 'docs', 'images');
  mkdirSync(out, { recursive: true });
  const figures: [string, string][] = [
    ['matmul-tiling.svg', matmulTiling()],
    ['matmul-vec4.svg', matmulVec4()],
    ['matmul-swizzle.svg', matmulSwizzle()],
    ['wasm-goto.svg', await wasmGoto()],
    ['reduce-tree.svg', reduceTree()],
    ...latestLadders(root).map((r): [string, string] => [`roofline-${r.device}.svg`, roofline(r)]),
  ];
  const written: string[] = [];
  for (const [name, svg] of figures) {
    writeFileSync(join(out, name), svg);
    written.push(join('docs', 'images', name));
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await drawKernelFigures()) process.stdout.write(`${f}\n`);
}
