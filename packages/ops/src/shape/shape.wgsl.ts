import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { stridedIndexWgsl } from '../shared/strided.js';

/**
 * The strided copy behind concat (and copyInto): one thread per element of the source's shape.
 * Each thread turns its flat index into an element of the source (through the source's strides
 * and offset: any view) and of the destination (through the destination's strides and offset: for
 * concat, the output's row-major strides with the offset of the input's slot along the axis).
 *
 * Tiling: none; a flat 1-D launch of 256-thread workgroups (grid1d), one dispatch per input.
 * Memory traffic: 4 bytes read and 4 written per element, the minimum for a copy; consecutive
 * threads write consecutive addresses of a row of the slot, so stores coalesce within rows.
 * Bounds: threads past `n` return. The words are moved as u32 whatever the dtype (f32, i32, u32):
 * a copy need not know what the bits mean, and one pipeline serves every dtype.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function copyStridedWgsl(): string {
  return /* wgsl */ `
struct Params {
  n: u32, rank: u32, srcOffset: u32, dstOffset: u32,
  shape: array<vec4<u32>, 2>,
  srcStrides: array<vec4<u32>, 2>,
  dstStrides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
${stridedIndexWgsl}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  dst[stridedIndex(i, p.rank, p.shape, p.dstStrides, p.dstOffset)] = src[stridedIndex(i, p.rank, p.shape, p.srcStrides, p.srcOffset)];
}`;
}
