import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';

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
 */
export function maxoutWgsl(): string {
  return /* wgsl */ `
struct Params { n: u32, units: u32, pieces: u32, offset: u32, rowStride: u32, colStride: u32, _a: u32, _b: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<i32>;

fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

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
 *
 * Tiling: none; one thread per dx element (so every dx element is written exactly once and no atomics
 * or zero-fill pass are needed), 256 threads per workgroup, folded into 2-D past 65535 workgroups.
 * Memory traffic: each thread reads one argmax and one dy element (and one mask element) (the `pieces`
 * threads of a unit read the same ones, which the cache serves) and writes 4 bytes; dx writes are fully
 * coalesced. dy, argmax and mask are read through their strides. With the mask folded in, the
 * product dy * mask is never written to memory (unfused: one more launch, 12 bytes per unit).
 * Bounds: threads past B * units * pieces return. An argmax outside 0..pieces-1 routes its dy nowhere.
 */
export function maxoutBackwardWgsl(withMask = false): string {
  return withMask ? BACKWARD_MASKED : BACKWARD;
}

function backwardWgsl(withMask: boolean): string {
  return /* wgsl */ `
struct Params {
  n: u32, units: u32, pieces: u32, dyOffset: u32,
  dyRowStride: u32, dyColStride: u32, argOffset: u32, argRowStride: u32,
  argColStride: u32, maskOffset: u32, maskRowStride: u32, maskColStride: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> arg: array<i32>;
${
  withMask
    ? `@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;`
    : '@group(0) @binding(3) var<storage, read_write> dx: array<f32>;'
}

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
  dx[i] = select(0.0, g, a == i32(k));
}`;
}

const BACKWARD = backwardWgsl(false);
const BACKWARD_MASKED = backwardWgsl(true);
