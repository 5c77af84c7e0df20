import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { IS_NAN_WGSL } from '../shared/activation.wgsl.js';

/**
 * Maxout forward: out[b, u] = max over k < pieces of x[b, u * pieces + k], and the winning k.
 *
 * Tiling: none; one thread per output (b, u), 256 threads per workgroup, the launch folded into 2-D
 * past 65535 workgroups. Each thread loops over its unit's `pieces` columns (a handful), keeping the
 * best value and its piece index in registers.
 * Memory traffic: every x element is read once (pieces * 4 bytes per thread, in a contiguous run when
 * x is dense, so a warp covers one contiguous span of a row); 8 bytes written per output (value and
 * i32 index). x is read through its two strides and offset, so a transposed view needs no copy.
 * Bounds: threads past B * units return.
 * NaN wins over numbers (it propagates, like max), ties go to the first piece.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function maxoutWgsl(): string {
  return /* wgsl */ `
struct Params { n: u32, units: u32, pieces: u32, offset: u32, rowStride: u32, colStride: u32, _a: u32, _b: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<i32>;

${IS_NAN_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  let b = i / p.units;
  let u = i % p.units;
  let base = p.offset + b * p.rowStride + u * p.pieces * p.colStride;
  var best = xs[base];
  var bestK = 0u;
  for (var k = 1u; k < p.pieces; k++) {
    let v = xs[base + k * p.colStride];
    // Strictly better only: an equal later piece never replaces the first.
    if (!isNan(best) && (isNan(v) || v > best)) { best = v; bestK = k; }
  }
  out[i] = best;
  arg[i] = i32(bestK);
}`;
}

/**
 * Maxout backward: dx[b, u * pieces + k] = dy[b, u] if argmax[b, u] == k, else 0. With `withMask`
 * (the backward of maxoutDropout), dy[b, u] * mask[b, u] instead: the dropout's backward folded in.
 * With `withX` (what autograd uses), tied pieces share the gradient evenly, as `max` does: each of the
 * c pieces equal to the winner x[b, u * pieces + argmax] gets dy / c (a NaN winner keeps it alone).
 *
 * Tiling: none; one thread per dx element (so every dx element is written exactly once and no atomics
 * or zero-fill pass are needed), 256 threads per workgroup, folded into 2-D past 65535 workgroups.
 * Memory traffic: each thread reads one argmax and one dy element (and one mask element) (the `pieces`
 * threads of a unit read the same ones, which the cache serves) and writes 4 bytes; dx writes are fully
 * coalesced. With x, each thread also reads its unit's `pieces` inputs (again shared by the unit's
 * threads through the cache: about 4 more bytes per dx element from memory). dy, argmax, mask and x
 * are read through their strides. With the mask folded in, the product dy * mask is never written to
 * memory (unfused: one more launch, 12 bytes per unit).
 * Bounds: threads past B * units * pieces return. An argmax outside 0..pieces-1 routes its dy nowhere.
 * Numerics: a share is g / c, and exactly g when c = 1 (no tie), so untied units are bit for bit the
 * argmax-only result.
 */
export function maxoutBackwardWgsl(withMask = false, withX = false): string {
  return BACKWARD[Number(withMask) + 2 * Number(withX)]!;
}

function backwardWgsl(withMask: boolean, withX: boolean): string {
  const bindings = ['@group(0) @binding(1) var<storage, read> dy: array<f32>;', '@group(0) @binding(2) var<storage, read> arg: array<i32>;'];
  if (withMask) bindings.push(`@group(0) @binding(${bindings.length + 1}) var<storage, read> mask: array<f32>;`);
  if (withX) bindings.push(`@group(0) @binding(${bindings.length + 1}) var<storage, read> xs: array<f32>;`);
  bindings.push(`@group(0) @binding(${bindings.length + 1}) var<storage, read_write> dx: array<f32>;`);
  const share = withX
    ? `let base = p.xOffset + b * p.xRowStride + u * p.pieces * p.xColStride;
  let best = xs[base + u32(a) * p.xColStride];
  var ties = 1u;
  var mine = a == i32(k);
  if (!isNan(best)) {
    ties = 0u;
    for (var j = 0u; j < p.pieces; j++) { if (xs[base + j * p.xColStride] == best) { ties++; } }
    mine = xs[base + k * p.xColStride] == best;
  }
  dx[i] = select(0.0, select(g / f32(ties), g, ties == 1u), mine);`
    : 'dx[i] = select(0.0, g, a == i32(k));';
  return /* wgsl */ `
struct Params {
  n: u32, units: u32, pieces: u32, dyOffset: u32,
  dyRowStride: u32, dyColStride: u32, argOffset: u32, argRowStride: u32,
  argColStride: u32, maskOffset: u32, maskRowStride: u32, maskColStride: u32,
  xOffset: u32, xRowStride: u32, xColStride: u32, _pad: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
${bindings.join('\n')}
${IS_NAN_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  let cols = p.units * p.pieces;
  let b = i / cols;
  let c = i % cols;
  let u = c / p.pieces;
  let k = c % p.pieces;
  let a = arg[p.argOffset + b * p.argRowStride + u * p.argColStride];
  let g = dy[p.dyOffset + b * p.dyRowStride + u * p.dyColStride]${withMask ? ' * mask[p.maskOffset + b * p.maskRowStride + u * p.maskColStride]' : ''};
  if (a < 0 || u32(a) >= p.pieces) { dx[i] = 0.0; return; }
  ${share}
}`;
}

const BACKWARD = [backwardWgsl(false, false), backwardWgsl(true, false), backwardWgsl(false, true), backwardWgsl(true, true)];
