import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';

/**
 * Adam and AdamW, in place: one thread per parameter element.
 *
 *   g' = g + l2·p;  m = β1·m + (1−β1)·g';  v = β2·v + (1−β2)·g'·g';
 *   p  = p·decay − stepSize·m / (√v / sqrtBc2 + eps)
 *
 * The host folds the learning rate, the step count (the bias corrections 1−β1ᵗ and 1−β2ᵗ, computed
 * in doubles) and the kind of weight decay (Adam: l2 = weightDecay, decay = 1; AdamW: l2 = 0,
 * decay = 1 − lr·weightDecay) into the uniform, so one pipeline serves every step and both kinds.
 *
 * Tiling: none; a flat 1-D launch of 256-thread workgroups (grid1d).
 * Memory traffic: each thread reads p, g, m and v and writes m, v and p: 28 bytes per element,
 * once. The same update from elementwise ops would take about a dozen kernels and as many
 * temporaries per parameter per step.
 * Bounds: threads past `n` return. Every thread touches only its own element, so updating p, m and
 * v in place is race-free.
 * Numerics: f32 throughout, in the CPU twin's order. The host passes 1−β1 and 1−β2 ready-made
 * (computed in doubles): computed here from the f32 β2, 1 − β2 for β2 = 0.9998 would carry the
 * rounding of β2 magnified ~5000 times by the cancellation (a relative error of ~2e-4 in v, seen
 * as a 1e-5 drift of the parameter after three steps) (m and v are the stored f32 values when p's
 * line reads them). With eps = 0 and v = 0 the quotient is 0/0 = NaN, as on every device.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function adamWgsl(): string {
  return /* wgsl */ `
struct Params { n: u32, beta1: f32, beta2: f32, oneMinusBeta1: f32, oneMinusBeta2: f32, eps: f32, l2: f32, decay: f32, stepSize: f32, sqrtBc2: f32, }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m1: array<f32>;
@group(0) @binding(4) var<storage, read_write> m2: array<f32>;

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  let w = param[i];
  let g = grad[i] + p.l2 * w;
  let m = p.beta1 * m1[i] + p.oneMinusBeta1 * g;
  let v = p.beta2 * m2[i] + p.oneMinusBeta2 * g * g;
  m1[i] = m;
  m2[i] = v;
  param[i] = w * p.decay - (p.stepSize * m) / (sqrt(v) / p.sqrtBc2 + p.eps);
}`;
}
