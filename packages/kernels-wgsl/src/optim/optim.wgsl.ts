import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';

/**
 * SGD with classic momentum, in place: one thread per parameter element.
 *
 * Tiling: none; a flat 1-D launch of 256-thread workgroups (grid1d).
 * Memory traffic: each thread reads p, g and v and writes v and p: 20 bytes per element, once.
 * Doing the same with elementwise ops would take five kernels and temporaries (mul, add, mul,
 * sub, add): about four times the traffic, and four extra allocations per parameter per step.
 * Bounds: threads past `n` return. Every thread touches only its own element, so updating p and v
 * in place is race-free.
 */
export function sgdMomentumWgsl(): string {
  return /* wgsl */ `
struct Params { n: u32, lr: f32, momentum: f32, weightDecay: f32, }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  let w = param[i];
  let v = p.momentum * velocity[i] - p.lr * (grad[i] + p.weightDecay * w);
  velocity[i] = v;
  param[i] = w + v;
}`;
}
