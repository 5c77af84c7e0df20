/**
 * The two numbers a roofline needs, measured on the adapter at hand (docs/performance.md,
 * "Roofline"): how fast it can do arithmetic, and how fast it can move bytes. The wasm device's
 * twins are kernels-wasm's assembly/probe/peak.ts and assembly/probe/copy.ts.
 *
 * FMA chains (probeFmaWgsl). Each thread runs `p.iters` steps of 8 independent chains
 * x = fma(x, m, c) on vec4s, all in registers: no memory traffic in the loop, 8 · 4 · 2 = 64 flops
 * a step (FMA_PROBE_FLOPS_PER_ITER). Eight chains give each FMA the latency of the other seven
 * before its result is needed, so the loop runs at the rate the hardware issues FMAs. m and c come
 * from the uniform buffer, so the compiler cannot fold the chain; each thread stores its sum, so it
 * cannot drop it. Launch enough workgroups to fill the device (the launcher takes a count).
 *
 * Copy (probeCopyWgsl). One thread per vec4: out[i] = src[i], 16 bytes read and 16 written, the
 * most a kernel can move per thread in one instruction each way. With buffers far larger than the
 * caches the time is the DRAM (or, on lavapipe, the CPU's memory) bandwidth: 2 · bytes / time.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */

/** Flops of one step of probeFmaWgsl's loop, per thread (8 chains × 4 lanes × mul + add). */
export const FMA_PROBE_FLOPS_PER_ITER = 64;
/** Threads per workgroup of both probes. */
export const PROBE_WORKGROUP = 256;

/** The WGSL of the FMA-chain probe (see the header above). */
export function probeFmaWgsl(): string {
  const chains = Array.from({ length: 8 }, (_, i) => i);
  return /* wgsl */ `// roofline probe: register-only FMA chains
struct Params { iters: u32, m: f32, c: f32, _pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(${PROBE_WORKGROUP})
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = g.x + g.y * nwg.x * ${PROBE_WORKGROUP}u;
  let m = vec4<f32>(p.m);
  let c = vec4<f32>(p.c);
  let s = f32(i & 7u);
  ${chains.map((j) => `var x${j} = vec4<f32>(s + ${j}.0);`).join('\n  ')}
  for (var t = 0u; t < p.iters; t++) {
    ${chains.map((j) => `x${j} = fma(x${j}, m, c);`).join('\n    ')}
  }
  let sum = ${chains.map((j) => `x${j}`).join(' + ')};
  out[i] = sum.x + sum.y + sum.z + sum.w;
}
`;
}

/** The WGSL of the copy-bandwidth probe (see the header above). */
export function probeCopyWgsl(): string {
  return /* wgsl */ `// roofline probe: copy, one vec4 per thread
struct Params { n4: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(${PROBE_WORKGROUP})
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = g.x + g.y * nwg.x * ${PROBE_WORKGROUP}u;
  if (i < p.n4) { dst[i] = src[i]; }
}
`;
}
