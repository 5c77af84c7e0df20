import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { stridedIndexWgsl } from '../shared/strided.js';

/**
 * where(cond, a, b): a where cond is nonzero, b elsewhere, with NumPy broadcasting of all three.
 *
 * Tiling: none; one thread per output element, as the binary elementwise kernel, reading each
 * operand through its strides (stride 0 along broadcast dims, so a [N, 1] mask or a scalar
 * operand needs no copy). Memory traffic: three reads and one write per element.
 * Bounds: threads past `n` return at once.
 * Numerics: a select, exact; the operand not chosen is read but never combined, so an inf or NaN
 * in it does not leak into the result (the gradient rule relies on that: where(cond, g, 0)).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function whereWgsl(condType: string, type: string): string {
  return /* wgsl */ `
struct Params {
  n: u32, rank: u32, cOffset: u32, aOffset: u32,
  bOffset: u32, _p0: u32, _p1: u32, _p2: u32,
  shape: array<vec4<u32>, 2>,
  cStrides: array<vec4<u32>, 2>,
  aStrides: array<vec4<u32>, 2>,
  bStrides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> cs: array<${condType}>;
@group(0) @binding(2) var<storage, read> as_: array<${type}>;
@group(0) @binding(3) var<storage, read> bs: array<${type}>;
@group(0) @binding(4) var<storage, read_write> out: array<${type}>;
${stridedIndexWgsl}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  let c = cs[stridedIndex(i, p.rank, p.shape, p.cStrides, p.cOffset)];
  let a = as_[stridedIndex(i, p.rank, p.shape, p.aStrides, p.aOffset)];
  let b = bs[stridedIndex(i, p.rank, p.shape, p.bStrides, p.bOffset)];
  out[i] = select(b, a, c != ${condType}(0));
}`;
}
