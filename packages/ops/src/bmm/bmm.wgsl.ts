/** Output tile edge: a 16 x 16 workgroup computes a 16 x 16 block of one batch's product. */
export const BMM_TILE = 16;
/** Batch dims the kernel indexes (rank up to BMM_MAX_BATCH_RANK + 2). */
export const BMM_MAX_BATCH_RANK = 4;

/**
 * Batched matmul: out[b] = A[b] · B[b] for every batch index b of the broadcast batch shape,
 * A[b] [M, K] and B[b] [K, N], out dense [..., M, N].
 *
 * Tiling: the classic shared-memory tiling. Workgroup (x, y, z) owns the 16 x 16 output block at
 * columns 16x.., rows 16y.. of batch z; each of its 256 threads owns one output element. Per
 * step along K, the workgroup stages a 16 x 16 tile of A and one of B in workgroup memory (one
 * element per thread each), synchronizes, and every thread accumulates 16 products from there.
 * Memory traffic: every A and B element is read from global memory once per tile that needs it:
 * (M·K·N/16) · 2 loads per batch instead of 2·M·K·N, a 16x saving; no register blocking (the 2-D
 * `matmul` kernel is the tuned one; this one favours clarity and any batch layout).
 * Strides: each operand is read through (row, column) strides and per-batch-dim strides, with
 * stride 0 on broadcast batch dims. So transposed operands (transA / transB swap the two strides),
 * transposed views and broadcast batches all cost no copy, and one pipeline serves them all.
 * Bounds: tiles past M, N or K load zeros (they add nothing); threads outside M x N write nothing.
 * Numerics: f32 accumulation in K order, as the CPU twin does in doubles.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function bmmWgsl(): string {
  const T = BMM_TILE;
  return /* wgsl */ `
struct Params {
  m: u32, k: u32, n: u32, batchRank: u32,
  aOffset: u32, aRow: u32, aCol: u32, bOffset: u32,
  bRow: u32, bCol: u32, _p0: u32, _p1: u32,
  batchShape: vec4<u32>,
  aBatchStrides: vec4<u32>,
  bBatchStrides: vec4<u32>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> as_: array<f32>;
@group(0) @binding(2) var<storage, read> bs: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> aTile: array<array<f32, ${T}>, ${T}>;
var<workgroup> bTile: array<array<f32, ${T}>, ${T}>;

@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let batch = wid.z;
  // Each operand's offset for this batch: peel the batch coordinates off, last dim first.
  var aBase = p.aOffset;
  var bBase = p.bOffset;
  var rem = batch;
  for (var d = i32(p.batchRank) - 1; d >= 0; d--) {
    let c = rem % p.batchShape[d];
    rem /= p.batchShape[d];
    aBase += c * p.aBatchStrides[d];
    bBase += c * p.bBatchStrides[d];
  }
  let row = wid.y * ${T}u + lid.y;
  let col = wid.x * ${T}u + lid.x;
  var acc = 0.0;
  for (var t = 0u; t < p.k; t += ${T}u) {
    let ka = t + lid.x;
    aTile[lid.y][lid.x] = select(0.0, as_[aBase + row * p.aRow + ka * p.aCol], row < p.m && ka < p.k);
    let kb = t + lid.y;
    bTile[lid.y][lid.x] = select(0.0, bs[bBase + kb * p.bRow + col * p.bCol], kb < p.k && col < p.n);
    workgroupBarrier();
    for (var kk = 0u; kk < ${T}u; kk++) { acc += aTile[lid.y][kk] * bTile[kk][lid.x]; }
    workgroupBarrier();
  }
  if (row < p.m && col < p.n) { out[(batch * p.m + row) * p.n + col] = acc; }
}`;
}
