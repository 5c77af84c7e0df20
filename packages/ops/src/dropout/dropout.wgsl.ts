import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { stridedIndexWgsl } from '../shared/strided.js';
import { philoxWgsl } from '../random/random.wgsl.js';

/**
 * Dropout: one thread per 128-bit Philox counter block, i.e. per 4 consecutive elements.
 *
 * Tiling: none; a flat launch of 256-thread workgroups over ceil(n/4) blocks (grid1d).
 * Memory traffic: the mask alone is generated, not read: 4 bytes written per element. The fused
 * variant reads x once (through its strides, so views need no copy) and writes out and mask:
 * 12 bytes per element, against 20 for a separate mask kernel followed by a multiply.
 * Bounds: threads with 4*t >= n return; the last block handles only the elements below n.
 * Numerics: element i is kept when `(x >>> 8) < threshold` with threshold = ceil(keep * 2^24): an
 * integer test, so the CPU and every GPU keep the same elements; this is `u < keep` for the
 * uniform u that `rand` would draw from the same stream. Dropped elements are written as 0 with a
 * select (not x * 0), so a non-finite x does not leak NaN through a dropped unit.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function dropoutWgsl(type: 'f32', withInput: boolean, dense: boolean): string {
  const read = dense ? 'xs[i]' : 'xs[stridedIndex(i, p.rank, p.shape, p.xStrides, p.xOffset)]';
  return /* wgsl */ `
struct Params {
  n: u32, rank: u32, xOffset: u32, threshold: u32,
  keyLo: u32, keyHi: u32, offLo: u32, offHi: u32,
  scale: ${type}, _p0: u32, _p1: u32, _p2: u32,
  shape: array<vec4<u32>, 2>,
  xStrides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
${
  withInput
    ? `@group(0) @binding(1) var<storage, read> xs: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
@group(0) @binding(3) var<storage, read_write> mask: array<${type}>;
${dense ? '' : stridedIndexWgsl}`
    : `@group(0) @binding(1) var<storage, read_write> mask: array<${type}>;`
}
${philoxWgsl}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = ${flatIndexWgsl()};
  if (t >= (p.n + 3u) / 4u) { return; }
  let w = philox4x32_10(drawCounter(t, p.offLo, p.offHi), vec2<u32>(p.keyLo, p.keyHi));
  for (var j = 0u; j < 4u; j++) {
    let i = 4u * t + j;
    if (i >= p.n) { break; }
    let kept = (w[j] >> 8u) < p.threshold;
    mask[i] = select(0.0, p.scale, kept);${withInput ? `\n    out[i] = select(0.0, ${read} * p.scale, kept);` : ''}
  }
}`;
}
