import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { IS_NAN_WGSL } from '../shared/activation.wgsl.js';

/** Which pooling a kernel computes: the window's maximum or its average. */
export type PoolKind = 'max' | 'avg';

/** The geometry every pooling kernel reads (PoolGeometry in pool.cpu.ts, plus the count rule). */
const PARAMS_WGSL = /* wgsl */ `
struct Params {
  n: u32, h: u32, w: u32, oh: u32,
  ow: u32, kH: u32, kW: u32, sH: u32,
  sW: u32, pH: u32, pW: u32, dH: u32,
  dW: u32, countIncludePad: u32, _a: u32, _b: u32,
}
@group(0) @binding(0) var<uniform> p: Params;

// Average pooling's divisor for output (oh, ow): the whole window, or its taps inside the input.
fn divisor(oh: u32, ow: u32) -> f32 {
  if (p.countIncludePad == 1u) { return f32(p.kH * p.kW); }
  let h0 = i32(oh * p.sH) - i32(p.pH);
  let w0 = i32(ow * p.sW) - i32(p.pW);
  let rows = min(h0 + i32(p.kH), i32(p.h)) - max(h0, 0);
  let cols = min(w0 + i32(p.kW), i32(p.w)) - max(w0, 0);
  return f32(rows * cols);
}`;

/**
 * 2-D pooling, forward (maxPool2d, avgPool2d) on a dense NCHW input seen as N * C planes of H x W.
 *
 * Tiling: none; one thread per output element (plane, oh, ow), 256 threads per workgroup, folded
 * into 2-D past 65535 workgroups. Each thread walks its window in row-major order: tap (kh, kw)
 * reads x[plane, oh * sH - pH + kh * dH, ow * sW - pW + kw * dW], keeping the running max and its
 * position (max) or the running sum (avg) in registers.
 * Memory traffic: kH * kW reads of 4 bytes per output, 4 written (8 for max: value and i32 index).
 * Neighbouring threads (ow, ow + 1) read taps sW elements apart, so a warp's reads of one tap span
 * a few cache lines, and overlapping windows (stride < kernel) re-read taps through the cache, not
 * memory: x is read from memory about once. With no reuse to stage (a 2x2 or 3x3 window), a
 * shared-memory tile would add a barrier and save little.
 * Bounds: threads past N * C * OH * OW return. Padding is never read: a tap outside the input is
 * skipped, so max pooling pads with -inf (it never wins) and average pooling adds nothing; the
 * divisor is then kH * kW (countIncludePad, PyTorch's default) or the taps inside.
 * Numerics: max is exact. Its tie and NaN rule is PyTorch's: a later tap replaces the best only
 * when strictly greater, so the first maximum's index wins; a NaN propagates (the first NaN wins,
 * and nothing replaces it), as maxout and max do here. A window with no tap inside the input
 * (possible only with dilation) gives -inf and index -1, whose gradient goes nowhere. The average
 * is an f32 sum in window order, then one division (WGSL's f32 division is within 2.5 ULP).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function poolWgsl(kind: PoolKind): string {
  const walk =
    kind === 'max'
      ? {
          init: `var best = bitcast<f32>(0xff800000u | (p.n & 0u)); // -inf from a runtime value
  var arg = -1;`,
          tap: `let v = xs[base + u32(ih) * p.w + u32(iw)];
      // Strictly better only: an equal later tap never replaces the first; NaN sticks.
      if (arg < 0 || (!isNan(best) && (isNan(v) || v > best))) { best = v; arg = ih * i32(p.w) + iw; }`,
          done: 'out[i] = best;\n  idx[i] = arg;',
        }
      : {
          init: 'var sum = 0.0;',
          tap: 'sum += xs[base + u32(ih) * p.w + u32(iw)];',
          done: 'out[i] = sum / divisor(oh, ow);',
        };
  return /* wgsl */ `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${kind === 'max' ? '@group(0) @binding(3) var<storage, read_write> idx: array<i32>;' : ''}
${IS_NAN_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  let ow = i % p.ow;
  let oh = (i / p.ow) % p.oh;
  let base = (i / (p.ow * p.oh)) * p.h * p.w;
  let h0 = i32(oh * p.sH) - i32(p.pH);
  let w0 = i32(ow * p.sW) - i32(p.pW);
  ${walk.init}
  for (var kh = 0u; kh < p.kH; kh++) {
    let ih = h0 + i32(kh * p.dH);
    if (ih < 0 || ih >= i32(p.h)) { continue; }
    for (var kw = 0u; kw < p.kW; kw++) {
      let iw = w0 + i32(kw * p.dW);
      if (iw < 0 || iw >= i32(p.w)) { continue; }
      ${walk.tap}
    }
  }
  ${walk.done}
}`;
}

/**
 * 2-D pooling, backward: dx (N * C planes of H x W) from dy (planes of OH x OW).
 *
 * Overlapping windows (stride < kernel) send several outputs' gradients to one input, and WGSL has
 * no float atomics, so each thread owns one dx element and gathers: the outputs whose window holds
 * input (ih, iw) are those with oh * sH - pH + kh * dH = ih for some tap kh, i.e. (ih + pH - kh * dH)
 * divisible by sH and in [0, OH) (the same for w). The thread loops over the kH x kW taps, tests
 * that, and adds: max pooling adds dy[o] where the forward's index names (ih, iw); average pooling
 * adds dy[o] / divisor(o). Every dx element is written once: no zero fill, no atomics, and the sum
 * runs in one fixed order (kh, then kw), so it is deterministic.
 * Memory traffic: at most ceil(kH / sH) * ceil(kW / sW) outputs per input (1 for the usual stride =
 * kernel), each 4 bytes of dy (and 4 of index), read through the cache by neighbouring threads.
 * Bounds: threads past N * C * H * W return; a tap outside the output grid is skipped.
 */
export function poolBackwardWgsl(kind: PoolKind): string {
  const add = kind === 'max' ? 'if (idx[o] == me) { acc += dy[o]; }' : 'acc += dy[o] / divisor(oh, ow);';
  return /* wgsl */ `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> dy: array<f32>;
${kind === 'max' ? '@group(0) @binding(2) var<storage, read> idx: array<i32>;\n@group(0) @binding(3) var<storage, read_write> dx: array<f32>;' : '@group(0) @binding(2) var<storage, read_write> dx: array<f32>;'}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.n) { return; }
  let iw = i % p.w;
  let ih = (i / p.w) % p.h;
  let plane = i / (p.w * p.h);
  let me = i32(ih * p.w + iw);
  var acc = 0.0;
  for (var kh = 0u; kh < p.kH; kh++) {
    let th = i32(ih + p.pH) - i32(kh * p.dH);
    if (th < 0 || u32(th) % p.sH != 0u || u32(th) / p.sH >= p.oh) { continue; }
    let oh = u32(th) / p.sH;
    for (var kw = 0u; kw < p.kW; kw++) {
      let tw = i32(iw + p.pW) - i32(kw * p.dW);
      if (tw < 0 || u32(tw) % p.sW != 0u || u32(tw) / p.sW >= p.ow) { continue; }
      let ow = u32(tw) / p.sW;
      let o = (plane * p.oh + oh) * p.ow + ow;
      ${add}
    }
  }
  dx[i] = acc;
}`;
}
