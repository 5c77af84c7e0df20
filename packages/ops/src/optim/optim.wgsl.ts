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
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
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

/** Tensors of a multi-tensor update are laid out on workgroup boundaries (see sgdMomentumMultiWgsl). */
export const MULTI_SEGMENT_ALIGN = FLAT_WORKGROUP;

const multiCache = new Map<number, string>();

/**
 * SGD with classic momentum over `count` tensors in one dispatch: bindings 3t+1, 3t+2, 3t+3 are
 * tensor t's param, grad and velocity.
 *
 * Tiling: none; a flat 1-D launch of 256-thread workgroups over all the tensors' elements at once.
 * Tensor t owns the thread indices [starts[t], starts[t+1]): its size rounded up to whole
 * workgroups, so every workgroup works on one tensor and the branch that picks the tensor goes the
 * same way for all its threads (no divergence). A thread finds its tensor by comparing its index
 * with the segment ends (prefix sums of the rounded sizes, in the uniform: a few comparisons, no
 * memory reads); `j = i - starts[t]` is its element. WGSL cannot index a list of bindings at run
 * time, so each tensor's update is its own generated branch. The index is the global invocation id,
 * as in every flat kernel: computing it from workgroup_id and local_invocation_index instead made
 * the kernel 1.7x slower on lavapipe.
 * Memory traffic: as the single-tensor kernel, 20 bytes per element (p, g, v read; v, p written).
 * What is saved is launches: one dispatch instead of `count`, each of which on a GPU costs a few
 * microseconds of launch and a pass boundary, while a small bias vector fills a fraction of one wave.
 * Bounds: threads past the last segment return; threads past their tensor's size (the rounding)
 * skip the update. Each element is touched by one thread: in place, race-free. The arithmetic is the
 * single-tensor kernel's, expression for expression, so both paths give the same bits.
 */
export function sgdMomentumMultiWgsl(count: number): string {
  let code = multiCache.get(count);
  if (code) return code;
  if (!Number.isInteger(count) || count < 1) throw new Error(`sgdMomentumMultiWgsl: count ${count}`);
  const at = (field: string, t: number) => `p.${field}[${t >> 2}].${'xyzw'[t & 3]}`;
  const vec4s = Math.ceil((count + 1) / 4);
  let bindings = '';
  let branches = '';
  for (let t = 0; t < count; t++) {
    bindings += `@group(0) @binding(${3 * t + 1}) var<storage, read_write> param${t}: array<f32>;
@group(0) @binding(${3 * t + 2}) var<storage, read> grad${t}: array<f32>;
@group(0) @binding(${3 * t + 3}) var<storage, read_write> velocity${t}: array<f32>;
`;
    branches += `
  if (i < ${at('starts', t + 1)}) {
    let j = i - ${at('starts', t)};
    if (j < ${at('sizes', t)}) {
      let w = param${t}[j];
      let v = p.momentum * velocity${t}[j] - p.lr * (grad${t}[j] + p.weightDecay * w);
      velocity${t}[j] = v;
      param${t}[j] = w + v;
    }
    return;
  }`;
  }
  code = /* wgsl */ `
struct Params {
  n: u32, lr: f32, momentum: f32, weightDecay: f32,
  starts: array<vec4<u32>, ${vec4s}>,
  sizes: array<vec4<u32>, ${vec4s}>,
}
@group(0) @binding(0) var<uniform> p: Params;
${bindings}
@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }${branches}
}`;
  multiCache.set(count, code);
  return code;
}
