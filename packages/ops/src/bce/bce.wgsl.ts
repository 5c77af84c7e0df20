import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { stridedIndexWgsl } from '../shared/strided.js';
import { ACTIVATION_WGSL } from '../shared/activation.wgsl.js';

/** Threads per workgroup of the loss reduction. */
export const BCE_WORKGROUP = 256;
/** Elements one workgroup of the loss pass sums (16 per thread). */
export const BCE_CHUNK = BCE_WORKGROUP * 16;

/** Which sigmoid-BCE kernel: targets as a tensor or a number, dense or strided inputs. */
export interface BceVariant {
  /** Targets are a tensor (else the number `p.tValue`). */
  targetTensor: boolean;
  /** Logits (and targets) are dense and can be indexed directly. */
  dense: boolean;
}

const PARAMS = /* wgsl */ `
struct Params {
  n: u32, chunkLen: u32, rank: u32, zOffset: u32,
  tOffset: u32, tValue: f32, scale: f32, scaleOffset: u32,
  shape: array<vec4<u32>, 2>,
  zStrides: array<vec4<u32>, 2>,
  tStrides: array<vec4<u32>, 2>,
}
@group(0) @binding(0) var<uniform> p: Params;`;

/** WGSL reading logit i and its target (through strides unless dense). */
function loadWgsl(v: BceVariant): string {
  const zAt = v.dense ? 'i' : 'stridedIndex(i, p.rank, p.shape, p.zStrides, p.zOffset)';
  const tAt = v.dense ? 'i' : 'stridedIndex(i, p.rank, p.shape, p.tStrides, p.tOffset)';
  return `let z = zs[${zAt}];
    let t = ${v.targetTensor ? `ts[${tAt}]` : 'p.tValue'};`;
}

// bce(z, t) and sigmoid(z): the shared activation math (see shared/activation.wgsl.ts for numerics).
const MATH = ACTIVATION_WGSL;

/**
 * Mean sigmoid binary cross-entropy from logits, pass 1 (and the only pass when n <= BCE_CHUNK).
 *
 * Tiling: workgroup c sums the loss of elements [c * chunkLen, (c + 1) * chunkLen): each of the 256
 * threads adds up to 16 elements (grid-strided by 256, so a warp reads consecutive logits), then a
 * tree in workgroup memory (8 steps, a barrier each) adds the 256 partials pairwise. Thread 0 writes
 * partial[c] * scale: with one workgroup, scale = 1/n and the partial is the mean itself; otherwise
 * scale = 1 and bceFinishWgsl adds the partials.
 * Memory traffic: each logit (and target, if a tensor) is read once; 4 bytes written per workgroup.
 * Logits and targets are read through strides unless both are dense.
 * Bounds: threads past n add nothing but still reach every barrier.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function bceLossWgsl(v: BceVariant): string {
  return /* wgsl */ `${PARAMS}
@group(0) @binding(1) var<storage, read> zs: array<f32>;
${v.targetTensor ? '@group(0) @binding(2) var<storage, read> ts: array<f32>;' : ''}
@group(0) @binding(${v.targetTensor ? 3 : 2}) var<storage, read_write> out: array<f32>;
${stridedIndexWgsl}
${MATH}
var<workgroup> sh: array<f32, ${BCE_WORKGROUP}>;

@compute @workgroup_size(${BCE_WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = wid.x + wid.y * nwg.x;
  let start = c * p.chunkLen;
  let end = min(p.n, start + p.chunkLen);
  var acc = 0.0;
  for (var i = start + lid; i < end; i += ${BCE_WORKGROUP}u) {
    ${loadWgsl(v)}
    acc += bce(z, t);
  }
  sh[lid] = acc;
  for (var w = ${BCE_WORKGROUP / 2}u; w > 0u; w /= 2u) {
    workgroupBarrier();
    if (lid < w) { sh[lid] += sh[lid + w]; }
  }
  if (lid == 0u) { out[c] = sh[0] * p.scale; }
}`;
}

/**
 * Pass 2 of the loss: one workgroup adds the `n` partials (each thread a strided run, then the
 * tree) and writes sum * scale (scale = 1 / element count) to out[0]. Reads 4 bytes per partial.
 */
export function bceFinishWgsl(): string {
  return /* wgsl */ `${PARAMS}
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
var<workgroup> sh: array<f32, ${BCE_WORKGROUP}>;

@compute @workgroup_size(${BCE_WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < p.n; i += ${BCE_WORKGROUP}u) { acc += partial[i]; }
  sh[lid] = acc;
  for (var w = ${BCE_WORKGROUP / 2}u; w > 0u; w /= 2u) {
    workgroupBarrier();
    if (lid < w) { sh[lid] += sh[lid + w]; }
  }
  if (lid == 0u) { out[0] = sh[0] * p.scale; }
}`;
}

/**
 * The gradient of the mean loss: dz[i] = (sigmoid(z[i]) - t[i]) * scale / n, where scale is the
 * number p.scale (already divided by n) or, with `scaleTensor`, p.scale (= 1/n) times the one element
 * of the upstream-gradient buffer, read on the GPU (no readback).
 *
 * Tiling: none; one thread per element, 256 per workgroup, folded into 2-D past 65535 workgroups.
 * Memory traffic: reads a logit (and target) and writes one gradient per thread, 8-12 bytes; the scale
 * element is the same address for every thread and stays in cache.
 * Bounds: threads past n return.
 */
export function bceGradWgsl(v: BceVariant & { scaleTensor: boolean }): string {
  let b = v.targetTensor ? 3 : 2;
  const scaleBinding = v.scaleTensor ? `@group(0) @binding(${b++}) var<storage, read> sc: array<f32>;` : '';
  return /* wgsl */ `${PARAMS}
@group(0) @binding(1) var<storage, read> zs: array<f32>;
${v.targetTensor ? '@group(0) @binding(2) var<storage, read> ts: array<f32>;' : ''}
${scaleBinding}
@group(0) @binding(${b}) var<storage, read_write> out: array<f32>;
${stridedIndexWgsl}
${MATH}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  ${loadWgsl(v)}
  let factor = ${v.scaleTensor ? 'p.scale * sc[p.scaleOffset]' : 'p.scale'};
  out[i] = (sigmoid(z) - t) * factor;
}`;
}
