import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { ACTIVATION_WGSL } from '../shared/activation.wgsl.js';

/**
 * Softmax and log-softmax along one axis of a dense tensor, viewed as [outer, len, inner] (the
 * axis is the middle dim: element (o, c, i) lives at (o * len + c) * inner + i).
 *
 * Tiling: none; one thread per row (an (o, i) pair), which walks its `len` elements three times:
 * the maximum, the sum of exp(x - max), then the outputs. Rows of a class axis are short (10 for
 * MNIST, ~1000 for ImageNet), so a thread per row keeps every thread busy without a workgroup
 * reduction; a vocabulary-sized axis would want a workgroup per row instead.
 * Memory traffic: each element is read three times (from cache after the first) and written once.
 * Thread r is row (o, i) = (r / inner, r % inner) and reads element c of its row at
 * (o * len + c) * inner + i. With inner > 1, threads r and r + 1 (same o, i and i + 1) read
 * neighbouring addresses at every step c: a warp's loads coalesce (one break every `inner`
 * threads). With the axis last (inner = 1, the common case) it is the other way round: a thread
 * walks a contiguous row, but neighbouring threads are `len` floats apart, so one step of a warp
 * touches up to 32 cache lines; the lines then serve the next steps and the second and third
 * passes from cache. A workgroup per row would read rows coalesced; at 10 classes it is not worth it.
 * Bounds: threads past `rows` return at once; `len` is at least 1 (the op skips empty tensors).
 * Numerics: subtracting the row's maximum first makes every exp argument <= 0, so nothing
 * overflows and the largest term is exactly 1 (the sum is >= 1, its log is safe); log-softmax
 * is x - max - log(sum), never log(softmax), which would round small probabilities to log(0).
 * exp is our expNonPositive (shared/activation.wgsl.ts: Cody-Waite reduction and a degree-7
 * polynomial, about 1 ulp), not the builtin, whose error WGSL bounds only by 3 + 2|x| ulps (lavapipe
 * is 61 ulps off at -81): the same exp as the wasm twin (shared/math.ts) to within an ulp.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export const ROW_STATS_WGSL = /* wgsl */ `${ACTIVATION_WGSL}
// The maximum of row r's elements and the sum of exp(x - max) over them.
fn rowStats(base: u32, len: u32, inner: u32) -> vec2<f32> {
  var m = xs[base];
  for (var c = 1u; c < len; c++) { m = max(m, xs[base + c * inner]); }
  var s = 0.0;
  for (var c = 0u; c < len; c++) { s += expNonPositive(xs[base + c * inner] - m); }
  return vec2<f32>(m, s);
}`;

/** The WGSL of the row softmax kernel (log-softmax when `log`). */
export function softmaxWgsl(log: boolean): string {
  return /* wgsl */ `
struct Params { rows: u32, len: u32, inner: u32, _pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ROW_STATS_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = ${flatIndexWgsl()};
  if (r >= p.rows) { return; }
  let base = (r / p.inner) * p.len * p.inner + r % p.inner;
  let st = rowStats(base, p.len, p.inner);
  ${log ? 'let shift = st.x + log(st.y);' : 'let inv = 1.0 / st.y;'}
  for (var c = 0u; c < p.len; c++) {
    let at = base + c * p.inner;
    out[at] = ${log ? 'xs[at] - shift' : 'expNonPositive(xs[at] - st.x) * inv'};
  }
}`;
}
