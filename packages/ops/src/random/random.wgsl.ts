import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';

/**
 * Philox4x32-10 in WGSL. WGSL has no 64-bit integers, so the high half of the 32x32 -> 64-bit
 * product is assembled from 16-bit halves: each partial product fits in a u32, and so does each
 * sum of their pieces (`mid` < 3 * 2^16). The low half is the ordinary wrapping u32 product.
 * Shared by the random and dropout kernels.
 */
export const philoxWgsl = /* wgsl */ `
fn mulhi32(a: u32, b: u32) -> u32 {
  let aL = a & 0xffffu; let aH = a >> 16u;
  let bL = b & 0xffffu; let bH = b >> 16u;
  let ll = aL * bL; let lh = aL * bH; let hl = aH * bL;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return aH * bH + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    if (r > 0u) { k += vec2<u32>(0x9e3779b9u, 0xbb67ae85u); }
    let hi0 = mulhi32(0xd2511f53u, c.x);
    let lo0 = 0xd2511f53u * c.x;
    let hi1 = mulhi32(0xcd9e8d57u, c.z);
    let lo1 = 0xcd9e8d57u * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}

// Counter block \`b\` of a draw that starts at block (offLo, offHi): a 128-bit add with carry.
fn drawCounter(b: u32, offLo: u32, offHi: u32) -> vec4<u32> {
  let lo = offLo + b;
  return vec4<u32>(lo, offHi + select(0u, 1u, lo < offLo), 0u, 0u);
}
`;

/** What a random kernel writes: raw bits, uniform, normal or integer values. */
export type RandomKind = 'bits' | 'uniform' | 'normal' | 'int';

/**
 * The draw kernels (rand, randn, randint, randomBits): one thread per 128-bit counter block.
 *
 * Tiling: none; a flat launch of 256-thread workgroups over ceil(n/4) blocks (grid1d).
 * Memory traffic: no reads at all (the counter is the thread index plus the draw's offset, the key a
 * uniform); each thread runs Philox (10 rounds of two 32x32-bit multiplies) and writes 4 outputs,
 * 16 bytes. The kernel is cheap ALU work followed by a coalesced store.
 * Bounds: threads with 4*t >= n return; the last block writes only the elements below n.
 * Numerics: uniforms are `(x >>> 8) * 2^-24` (exact in f32). Box-Muller takes
 * `u1 = ((x0 >>> 8) + 1) * 2^-24` in (0, 1] so the log never sees 0, and computes -ln(u1) near 1
 * for u1 >= 1/2 from the series of 2 atanh(v / (2 - v)), v = 1 - u1 exact in f32, instead of
 * log(u1), whose absolute error (WGSL allows 2^-21 there) swamps the small result as u1 -> 1; the angle pi * w, w in [-1, 1), stays inside [-pi, pi], where
 * WGSL bounds sin/cos errors.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function randomWgsl(kind: RandomKind, type: 'f32' | 'i32' | 'u32'): string {
  const fields =
    kind === 'uniform'
      ? 'low: f32, scale: f32,'
      : kind === 'normal'
        ? 'mean: f32, stddev: f32,'
        : kind === 'int'
          ? 'low: i32, range: u32,'
          : 'a_: u32, b_: u32,';
  let body: string;
  if (kind === 'normal') {
    body = /* wgsl */ `
  for (var pair = 0u; pair < 2u; pair++) {
    let i = 4u * t + 2u * pair;
    if (i >= p.n) { break; }
    let z = boxMuller(w[2u * pair], w[2u * pair + 1u]);
    out[i] = p.mean + p.stddev * z.x;
    if (i + 1u < p.n) { out[i + 1u] = p.mean + p.stddev * z.y; }
  }`;
  } else {
    const value =
      kind === 'uniform'
        ? 'p.low + p.scale * (f32(w[j] >> 8u) * ${TWO_M24})'
        : kind === 'int'
          ? 'bitcast<i32>(bitcast<u32>(p.low) + mulhi32(w[j], p.range))'
          : 'w[j]';
    body = /* wgsl */ `
  for (var j = 0u; j < 4u; j++) {
    let i = 4u * t + j;
    if (i >= p.n) { break; }
    out[i] = ${value.replace('${TWO_M24}', TWO_M24_WGSL)};
  }`;
  }
  return /* wgsl */ `
struct Params {
  n: u32, keyLo: u32, keyHi: u32, offLo: u32,
  offHi: u32, ${fields} _pad: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
${philoxWgsl}
${kind === 'normal' ? boxMullerWgsl : ''}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = ${flatIndexWgsl()};
  if (t >= (p.n + 3u) / 4u) { return; }
  let w = philox4x32_10(drawCounter(t, p.offLo, p.offHi), vec2<u32>(p.keyLo, p.keyHi));${body}
}`;
}

const TWO_M24_WGSL = '5.9604644775390625e-8';

/** Box-Muller of two words: (r cos theta, r sin theta). See randomWgsl for the numerics. */
export const boxMullerWgsl = /* wgsl */ `
// -ln(u) for u = k * 2^-24, k in [1, 2^24]. For u >= 1/2, v = 1 - u is exact and
// -ln(u) = 2 atanh(s) with s = v / (2 - v) <= 1/3: eight terms of s + s^3/3 + s^5/5 + ...
// (the first one left out is below 2e-9 relative) keep full relative precision even as u -> 1,
// where log(u) would subtract two nearly equal numbers. Below 1/2, log is accurate to a few ULP.
fn negLogUnit(k: u32) -> f32 {
  let u = f32(k) * ${TWO_M24_WGSL};
  if (u >= 0.5) {
    let v = f32(16777216u - k) * ${TWO_M24_WGSL};
    let s = v / (2.0 - v);
    let t = s * s;
    let poly = 1.0 + t * (0.33333334 + t * (0.2 + t * (0.14285715 + t * (0.11111111 + t * (0.09090909 + t * (0.07692308 + t * 0.06666667))))));
    return 2.0 * s * poly;
  }
  return -log(u);
}

fn boxMuller(x0: u32, x1: u32) -> vec2<f32> {
  let r = sqrt(2.0 * negLogUnit((x0 >> 8u) + 1u));
  let theta = 3.1415927 * (f32(x1 >> 8u) * 1.1920928955078125e-7 - 1.0);
  return vec2<f32>(r * cos(theta), r * sin(theta));
}
`;

/**
 * Philox of caller-given counters (a u32 [blocks, 4] tensor) under a uniform key: the raw generator,
 * for known-answer tests and for callers that manage counters themselves. One thread per block:
 * reads 16 bytes, writes 16. Threads past the last block return.
 */
export function philoxBlocksWgsl(): string {
  return /* wgsl */ `
struct Params { blocks: u32, keyLo: u32, keyHi: u32, _pad: u32, }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> counters: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<u32>>;
${philoxWgsl}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = ${flatIndexWgsl()};
  if (t >= p.blocks) { return; }
  out[t] = philox4x32_10(counters[t], vec2<u32>(p.keyLo, p.keyHi));
}`;
}
