import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { IS_NAN_WGSL } from '../shared/activation.wgsl.js';
import { philoxWgsl } from '../random/random.wgsl.js';

/**
 * Maxout with the dropout of its output fused in: out[i] = kept(i) ? max_k x[b, u*pieces + k] / keep : 0
 * for output i = b * units + u, with the winning piece in arg[i] and the mask (0 or 1/keep) in mask[i].
 *
 * Tiling: none; one thread per 128-bit Philox counter block, i.e. per 4 consecutive outputs (the
 * dropout kernel's layout), 256 threads per workgroup, folded into 2-D past 65535 workgroups. A thread
 * computes the block's 4 random words once (10 rounds of integer ALU work, no loads), then for each of
 * its outputs loops over the unit's `pieces` columns keeping the best value and its index in registers.
 * Memory traffic: every x element is read once (4 * pieces consecutive columns per thread when x is
 * dense and the 4 outputs share a row); 12 bytes written per output (value, i32 index, mask). The
 * unfused pair (maxout, then dropout) also writes the maxout output and reads it back: 8 more bytes
 * per output and a second launch. x is read through its two strides and offset.
 * Bounds: threads with 4*t >= n return; the last block handles only the outputs below n.
 * Numerics: element i is kept when `(w >>> 8) < threshold` for word i % 4 of counter block
 * offset + floor(i / 4), the integer test `dropoutMask` uses for a draw of the output's shape, so the
 * result is bit for bit `dropout(maxout(x).out, keep)` from the same stream. Dropped outputs are
 * written with a select (0, not max * 0), NaN wins the max and ties keep the first piece (as maxout).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export const maxoutDropoutWgsl = /* wgsl */ `
struct Params {
  n: u32, units: u32, pieces: u32, offset: u32,
  rowStride: u32, colStride: u32, threshold: u32, keyLo: u32,
  keyHi: u32, offLo: u32, offHi: u32, scale: f32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<i32>;
@group(0) @binding(4) var<storage, read_write> mask: array<f32>;
${philoxWgsl}
${IS_NAN_WGSL}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = ${flatIndexWgsl()};
  if (t >= (p.n + 3u) / 4u) { return; }
  let w = philox4x32_10(drawCounter(t, p.offLo, p.offHi), vec2<u32>(p.keyLo, p.keyHi));
  for (var j = 0u; j < 4u; j++) {
    let i = 4u * t + j;
    if (i >= p.n) { break; }
    let b = i / p.units;
    let u = i % p.units;
    let base = p.offset + b * p.rowStride + u * p.pieces * p.colStride;
    var best = xs[base];
    var bestK = 0u;
    for (var k = 1u; k < p.pieces; k++) {
      let v = xs[base + k * p.colStride];
      // Strictly better only: an equal later piece never replaces the first.
      if (!isNan(best) && (isNan(v) || v > best)) { best = v; bestK = k; }
    }
    let kept = (w[j] >> 8u) < p.threshold;
    out[i] = select(0.0, best * p.scale, kept);
    arg[i] = i32(bestK);
    mask[i] = select(0.0, p.scale, kept);
  }
}`;
