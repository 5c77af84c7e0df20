import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';

/** Flags a bad index in the dispatch's slot of the check buffer (see gatherWgsl's header). */
const FLAG_WGSL = /* wgsl */ `
fn flag(r: i32) {
  atomicStore(&checks[2u * p.slot + 1u], bitcast<u32>(r));
  atomicStore(&checks[2u * p.slot], 1u);
}`;

/**
 * gather(x, indices, axis): rows of x by index along one axis, and its gradient scatterAdd.
 * Both see their dense operands as [outer, len, inner] with the indexed axis in the middle
 * (len = x's size along the axis, m = the number of indices):
 *
 *   gather:      out[o, j, i] = x[o, indices[j], i]                 out is [outer, m, inner]
 *   scatterAdd:  out[o, r, i] = Σ_{j : indices[j] = r} src[o, j, i]   out is [outer, len, inner]
 *
 * Tiling: none; one thread per output element. gather reads one index and one element (rows of
 * `inner` contiguous elements stay contiguous: neighbouring threads read neighbouring addresses).
 * scatterAdd cannot add into its output from several threads (WGSL has no float atomics), so each
 * output element gathers instead: its thread scans all m indices and sums the matches. That costs
 * m index reads per element: cheap for a minibatch of rows, quadratic for a whole-dataset shuffle
 * (which needs no gradient). Sums run in index order, so the result is deterministic.
 * Bounds: threads past `n` return at once. An index outside [0, len) cannot be thrown from the GPU:
 * the thread that meets it flags it in the device's check buffer (`checks`, at the dispatch's
 * `slot`: 1 and the index, as atomics, any one thread's), which the next read or sync reads and
 * turns into the SaddleError the CPU and wasm throw at once (WebGpuDevice.checkSlot). Meanwhile
 * gather writes NaN (0 for integer dtypes) for it and scatterAdd drops it, never reading outside x.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function gatherWgsl(type: string): string {
  const poison = type === 'f32' ? 'bitcast<f32>(0x7fc00000u | (p.n & 0u))' : `${type}(0)`;
  return /* wgsl */ `
struct Params { n: u32, len: u32, m: u32, inner: u32, indexOffset: u32, slot: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<${type}>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${type}>;
@group(0) @binding(4) var<storage, read_write> checks: array<atomic<u32>>;
${FLAG_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = ${flatIndexWgsl()};
  if (t >= p.n) { return; }
  let i = t % p.inner;
  let j = (t / p.inner) % p.m;
  let o = t / (p.inner * p.m);
  let r = indices[p.indexOffset + j];
  if (r < 0 || u32(r) >= p.len) { flag(r); }
  // NaN from a runtime value: a constant expression that evaluates to NaN is a WGSL error.
  out[t] = select(${poison}, xs[(o * p.len + u32(max(r, 0))) * p.inner + i], r >= 0 && u32(r) < p.len);
}`;
}

/** The WGSL of the scatter-add kernel (the gradient of gather). */
export function scatterAddWgsl(): string {
  return /* wgsl */ `
struct Params { n: u32, len: u32, m: u32, inner: u32, indexOffset: u32, slot: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> checks: array<atomic<u32>>;
${FLAG_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = ${flatIndexWgsl()};
  if (t >= p.n) { return; }
  let i = t % p.inner;
  let r = i32((t / p.inner) % p.len);
  let o = t / (p.inner * p.len);
  var acc = 0.0;
  for (var j = 0u; j < p.m; j++) {
    let k = indices[p.indexOffset + j];
    if (k == r) { acc += src[(o * p.m + j) * p.inner + i]; }
    if (k < 0 || u32(k) >= p.len) { flag(k); }
  }
  out[t] = acc;
}`;
}
