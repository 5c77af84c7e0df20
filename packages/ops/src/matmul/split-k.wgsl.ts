/**
 * Split-K for skinny products: when C = op(A)·op(B) has few blocks (the GAN's layers at batch 100
 * give M = 100: one to four block-rows) but a long K, a GPU with a hundred multiprocessors runs out
 * of workgroups. The matmul kernel then runs with `splits` = S: workgroup w computes block w mod
 * blocks of C over the S-th part of K (kChunk values, a multiple of the k-tile, so the parts never
 * share a tile) and stores its raw sums in slice S of a [S, M, N] buffer. This kernel adds the S
 * partial products and applies the epilogue (bias, activation) once, in the same place the
 * single-pass kernel does: S·M·N values read, M·N written.
 *
 * Threads: one per 4 consecutive outputs of a row (a vec4 of C when N is a multiple of 4, else the
 * row's tail is masked), so the S slices are read as contiguous runs. The sum is over s in order
 * 0 … S-1 (fixed order: results do not depend on scheduling).
 *
 * Numerics: the same f32 products in a different association than one pass over K: the K terms are
 * summed in S runs of kChunk and the S partial sums added; the error bound (K·eps·Σ|a||b|) is the
 * same as the single pass's, and for S runs it is typically smaller (shorter running sums).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
import { flatIndexWgsl } from '../shared/launch.js';
import { MATMUL_ACT_WGSL } from './matmul.wgsl.js';

/** Threads per workgroup of the split-K reduction. */
export const SPLIT_K_WORKGROUP = 64;

/** WGSL of the split-K reduction. Bindings: params, partials [S·M·N], bias [N] (or any buffer when unused), out [M·N]. */
export function splitKReduceWgsl(): string {
  return /* wgsl */ `// matmul split-K: out = act(sum over s of partial[s] + bias)
struct Params { M: u32, N: u32, splits: u32, hasBias: u32, act: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

${MATMUL_ACT_WGSL}

@compute @workgroup_size(${SPLIT_K_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // Invocation i covers row i / q, columns (i % q)·4 … +3, q = ceil(N / 4).
  let q = (p.N + 3u) / 4u;
  let i = ${flatIndexWgsl(SPLIT_K_WORKGROUP)};
  if (i >= p.M * q) { return; }
  let row = i / q;
  let col = (i % q) * 4u;
  let mn = p.M * p.N;
  let base = row * p.N + col;
  var s4 = vec4<f32>(0.0);
  for (var s = 0u; s < p.splits; s++) {
    let o = s * mn + base;
    for (var j = 0u; j < 4u; j++) { if (col + j < p.N) { s4[j] += partial[o + j]; } }
  }
  if (p.hasBias != 0u) {
    for (var j = 0u; j < 4u; j++) { if (col + j < p.N) { s4[j] += bias[col + j]; } }
  }
  let y = act(s4);
  for (var j = 0u; j < 4u; j++) { if (col + j < p.N) { out[base + j] = y[j]; } }
}
`;
}
