import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';

/**
 * The exponential moving average of a tensor, in place: target = decay·target + (1 − decay)·source,
 * one thread per element.
 *
 * Tiling: none; a flat 1-D launch of 256-thread workgroups (grid1d).
 * Memory traffic: each thread reads target and source and writes target: 12 bytes per element,
 * once. The elementwise form it replaces (a subtraction into a temporary, then the SGD kernel with
 * momentum 0 over a scratch velocity) moved 32.
 * Bounds: threads past `n` return; every thread touches only its own element.
 * Numerics: f32; the host passes 1 − decay ready-made (computed in doubles: 1 − f32(0.999) would
 * carry f32's rounding of decay magnified ~1000 times). Two products and a sum, each rounded (or
 * contracted by the compiler): within a few f32 roundings of the CPU twin's double result.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function emaWgsl(): string {
  return /* wgsl */ `
struct Params { n: u32, decay: f32, oneMinusDecay: f32, }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> target_: array<f32>;
@group(0) @binding(2) var<storage, read> source: array<f32>;

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  target_[i] = p.decay * target_[i] + p.oneMinusDecay * source[i];
}`;
}
