import { IS_NAN_WGSL } from '../shared/activation.wgsl.js';
import { stridedIndexWgsl } from '../shared/strided.js';

/** Threads per workgroup of the reduction kernels. */
export const REDUCE_WORKGROUP = 256;
/** Elements one thread adds up sequentially, at most, before the tree takes over. */
export const REDUCE_PER_THREAD = 64;
/**
 * Elements a lane should fold before the tree, when the row is short enough to choose: rows get
 * about n / 8 lanes (a power of two, 1..256), so a 256-element row is one 32-lane warp reading 32
 * consecutive floats per step, and short rows pack many to a workgroup.
 */
export const REDUCE_LANE_WORK = 8;
/** Reduced elements one workgroup row takes in one pass; longer reductions get a second pass. */
export const REDUCE_CHUNK = REDUCE_WORKGROUP * REDUCE_PER_THREAD;

/** What a reduction kernel computes. */
export type ReduceKernelKind = 'sum' | 'max' | 'argmax';

/** Which reduction kernel: its kind, element type and passes. */
export interface ReduceVariant {
  kind: ReduceKernelKind;
  type: 'f32' | 'i32' | 'u32';
  /** argmax, second pass: a candidate's index comes from a buffer of indices, not its position. */
  indicesIn?: boolean;
  /** argmax, first of two passes: also write each row's winning value (for the second pass). */
  valuesOut?: boolean;
  /**
   * End the tree with subgroup operations: the workgroup-memory tree stops at `p.sg` lanes per row
   * (a uniform, the device's fixed subgroup size) and one subgroup finishes each row (subgroupAdd
   * for sums, a subgroupShuffleXor butterfly over (value, index) for max and argmax): log2(sg)
   * fewer barriers. Needs the `subgroups` feature, rows of at least sg adjacent lanes
   * (lanesAdjacent), and subgroups made of consecutive, aligned local invocation indices.
   */
  subgroups?: boolean;
}

/** WGSL that says whether a value is NaN, from its bits (a compiler may fold `v != v` away). */
function isNanWgsl(type: string): string {
  return type === 'f32' ? IS_NAN_WGSL : `fn isNan(v: ${type}) -> bool { return false; }`;
}

/**
 * Reductions (sum, max, argmax; mean is a sum with `scale = 1/n`).
 *
 * Layout: the input is seen as `rows` independent reductions. Row `row` is output `row / chunks`,
 * piece `row % chunks` of its reduced range: elements `[c * chunkLen, min(n, (c + 1) * chunkLen))`.
 * Both the kept dims (which output) and the reduced dims (which element of it) are read through
 * strides, so a transposed or sliced input needs no copy.
 *
 * Tiling: a workgroup of 256 threads holds `rowsPerGroup` rows of `threads` lanes each (`threads` a
 * power of two, 1..256, about chunkLen / REDUCE_LANE_WORK, so short reductions pack many rows into
 * a workgroup and long ones get all 256 threads). Each lane walks its row with stride `threads`,
 * folding at most REDUCE_PER_THREAD elements sequentially into a register, then the lanes of a row
 * combine their partials in a tree in workgroup memory (log2(threads) steps, a barrier each): the
 * summation order is pairwise above the short sequential runs, which keeps the f32 rounding error
 * growing like log(n) rather than n. Where the device has subgroups of one fixed size sg (lavapipe:
 * 8, NVIDIA: 32) and a row's lanes are adjacent invocations, the tree stops at sg lanes and one
 * subgroup finishes the row in registers (subgroupAdd; a shuffle butterfly for max / argmax):
 * log2(sg) fewer barriers and workgroup-memory round trips. The rest is the same on both paths.
 *
 * Memory traffic: every input element is read once; one value (plus an index for argmax) is written
 * per row. When the innermost reduced dim is contiguous, the lanes of a row are adjacent threads, so
 * a warp reads consecutive addresses (coalesced). When instead the innermost *kept* dim is
 * contiguous (e.g. summing a [B, D] batch over B), adjacent threads take adjacent rows
 * (`lanesAdjacent = 0`), so at each step a warp again reads one contiguous run.
 *
 * Bounds: lanes past the end of their row, and rows past `rows` (the last workgroup), fold nothing
 * and contribute the identity; they still reach every barrier (the loop bounds are uniform) and
 * write nothing. max/argmax carry an index with every value, and the index 0xffffffff marks "no
 * element yet", so no -inf literal is needed as an identity.
 *
 * NaN: max and argmax treat NaN as larger than everything (NumPy: NaN propagates; argmax gives the
 * first NaN). Ties go to the lower index, so argmax returns the first maximum whatever order the
 * tree combined the lanes in.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function reduceWgsl(v: ReduceVariant): string {
  const T = v.type;
  const isSum = v.kind === 'sum';
  const bindings: string[] = [`@group(0) @binding(1) var<storage, read> xs: array<${T}>;`];
  let b = 2;
  if (v.indicesIn) bindings.push(`@group(0) @binding(${b++}) var<storage, read> xi: array<i32>;`);
  if (isSum || v.kind === 'max' || v.valuesOut) bindings.push(`@group(0) @binding(${b++}) var<storage, read_write> outV: array<${T}>;`);
  if (v.kind === 'argmax') bindings.push(`@group(0) @binding(${b}) var<storage, read_write> outI: array<i32>;`);

  const sgPath = Boolean(v.subgroups);
  // The row's result: sv[s] / si[s] after the workgroup tree, fv / fi after the subgroup finish.
  const [rv, ri] = sgPath ? ['fv', 'fi'] : ['sv[s]', 'si[s]'];
  const scaled = T === 'f32' ? `${rv} * p.scale` : rv;
  const candidateIndex = v.indicesIn ? 'u32(xi[at])' : 'r';
  const writes: string[] = [];
  if (isSum) writes.push(`outV[row] = ${scaled};`);
  if (v.kind === 'max' || v.valuesOut) writes.push(`outV[row] = ${rv};`);
  if (v.kind === 'argmax') writes.push(`outI[row] = i32(${ri});`);
  // The subgroup finish, in subgroup-uniform control flow (every invocation runs it; only the
  // first sg lanes of a row hold partials, the rest feed the identity and their results are unused).
  const finish = !sgPath
    ? ''
    : isSum
      ? `
  workgroupBarrier();
  let fv = subgroupAdd(select(${T}(0), sv[s], lane < p.sg));`
      : `
  workgroupBarrier();
  var fv = sv[s];
  var fi = select(EMPTY, si[s], lane < p.sg);
  for (var o = p.sg / 2u; o > 0u; o /= 2u) {
    let ov = subgroupShuffleXor(fv, o);
    let oi = subgroupShuffleXor(fi, o);
    if (better(ov, oi, fv, fi)) { fv = ov; fi = oi; }
  }`;

  return /* wgsl */ `${sgPath ? 'enable subgroups;' : ''}
struct Params {
  rows: u32, chunks: u32, chunkLen: u32, n: u32,
  threads: u32, rowsPerGroup: u32, lanesAdjacent: u32, keptRank: u32,
  redRank: u32, offset: u32, scale: f32, sg: u32,
  keptShape: array<vec4<u32>, 2>,
  keptStrides: array<vec4<u32>, 2>,
  redShape: array<vec4<u32>, 2>,
  redStrides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
${bindings.join('\n')}
${stridedIndexWgsl}
${isNanWgsl(T)}

const EMPTY = 0xffffffffu;
var<workgroup> sv: array<${T}, ${REDUCE_WORKGROUP}>;
${isSum ? '' : `var<workgroup> si: array<u32, ${REDUCE_WORKGROUP}>;`}

// Whether (va, ia) beats (vb, ib): any element beats EMPTY, NaN beats numbers, larger beats
// smaller, and on a tie the lower index wins. A total order, so the tree's order does not matter.
fn better(va: ${T}, ia: u32, vb: ${T}, ib: u32) -> bool {
  if (ib == EMPTY) { return ia != EMPTY; }
  if (ia == EMPTY) { return false; }
  let na = isNan(va);
  let nb = isNan(vb);
  if (na != nb) { return na; }
  if (!na && va != vb) { return va > vb; }
  return ia < ib;
}

@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let group = wid.x + wid.y * nwg.x;
  var lane: u32;
  var slot: u32;
  if (p.lanesAdjacent == 1u) {
    lane = lid % p.threads;
    slot = lid / p.threads;
  } else {
    slot = lid % p.rowsPerGroup;
    lane = lid / p.rowsPerGroup;
  }
  let row = group * p.rowsPerGroup + slot;
  let s = slot * p.threads + lane;

  var acc = ${T}(0);
  var accI = EMPTY;
  if (row < p.rows) {
    let base = stridedIndex(row / p.chunks, p.keptRank, p.keptShape, p.keptStrides, p.offset);
    let start = (row % p.chunks) * p.chunkLen;
    let end = min(p.n, start + p.chunkLen);
    for (var r = start + lane; r < end; r += p.threads) {
      let at = base + stridedIndex(r, p.redRank, p.redShape, p.redStrides, 0u);
      let v = xs[at];
      ${
        isSum
          ? 'acc += v;'
          : `let vi = ${candidateIndex};
      if (better(v, vi, acc, accI)) { acc = v; accI = vi; }`
      }
    }
  }
  sv[s] = acc;
  ${isSum ? '' : 'si[s] = accI;'}

  // Tree over the lanes of each row: halve the active lanes each step${sgPath ? ', down to p.sg lanes' : ''}.
  for (var w = p.threads / 2u; w ${sgPath ? '>= p.sg' : '> 0u'}; w /= 2u) {
    workgroupBarrier();
    if (lane < w) {
      ${isSum ? 'sv[s] += sv[s + w];' : `if (better(sv[s + w], si[s + w], sv[s], si[s])) { sv[s] = sv[s + w]; si[s] = si[s + w]; }`}
    }
  }
${finish}
  if (lane == 0u && row < p.rows) {
    ${writes.join('\n    ')}
  }
}`;
}
