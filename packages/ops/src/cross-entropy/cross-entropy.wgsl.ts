import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { ROW_STATS_WGSL } from '../softmax/softmax.wgsl.js';

/**
 * Cross-entropy of softmax(logits) against integer class labels, fused: logits [N, C] (dense),
 * labels i32 [N]. Row n's loss is logsumexp(x_n) - x_n[label_n] = max + log(sum(exp(x - max)))
 * - x_n[label_n]; the op then takes the mean over rows (the reduce kernel).
 *
 * Tiling: none; one thread per row, as the softmax kernel (its `rowStats` is shared): two passes
 * over the row's C logits, then one read at the label. The gradient kernel makes a third pass
 * writing (softmax - onehot) * scale / N, so backward needs no softmax tensor in memory.
 * Memory traffic: C logits read per row (twice, from cache the second time), one float written
 * (the loss) or C (the gradient).
 * Bounds: threads past N return at once. A label outside [0, C) cannot be reported from the GPU:
 * its row's loss (and gradient) is NaN, so it poisons the mean rather than passing silently.
 * Numerics: never log(softmax); with the maximum subtracted every exp argument is <= 0 and the
 * sum is >= 1, so a logit of 1e4 or a probability of 1e-30 is exact to f32 rounding.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function crossEntropyWgsl(grad: boolean): string {
  return /* wgsl */ `
struct Params { rows: u32, len: u32, labelOffset: u32, scaleOffset: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<i32>;
${grad ? '@group(0) @binding(3) var<storage, read> scales: array<f32>;\n@group(0) @binding(4) var<storage, read_write> out: array<f32>;' : '@group(0) @binding(3) var<storage, read_write> out: array<f32>;'}
${ROW_STATS_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = ${flatIndexWgsl()};
  if (r >= p.rows) { return; }
  let base = r * p.len;
  let label = labels[p.labelOffset + r];
  let valid = label >= 0 && u32(label) < p.len;
  // NaN from a runtime value: a constant expression that evaluates to NaN is a WGSL error.
  let nan = bitcast<f32>(0x7fc00000u | (p.rows & 0u));
  let st = rowStats(base, p.len, 1u);
${
  grad
    ? `  let k = scales[p.scaleOffset] * p.scale;
  let inv = 1.0 / st.y;
  for (var c = 0u; c < p.len; c++) {
    let prob = expNonPositive(xs[base + c] - st.x) * inv;
    let hot = select(0.0, 1.0, valid && u32(label) == c);
    out[base + c] = select(nan, (prob - hot) * k, valid);
  }`
    : `  out[r] = select(nan, st.x + log(st.y) - xs[base + u32(max(label, 0))], valid);`
}
}`;
}
