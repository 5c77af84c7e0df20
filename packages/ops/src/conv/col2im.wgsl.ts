import { FLAT_WORKGROUP, flatIndexWgsl } from '../shared/launch.js';
import { convInputIndexWgsl } from './conv.wgsl.js';

/**
 * col2im: the second half of convTranspose2d on WebGPU (the first is a matmul). For group g the
 * launcher has computed colT [N·H·W, CoutG·kH·kW] = x_gᵀ · W_g with the tuned matmul kernel: entry
 * ((n, iy, ix), (co, ky, kx)) is input pixel (iy, ix)'s contribution to output channel co through
 * tap (ky, kx), summed over the group's input channels. This kernel sums, for each output element,
 * the at most kH·kW entries that land on it:
 *
 *   out[n, g·CoutG + co, oy, ox] = Σ_{ky, kx} colT[(n, iy, ix), (co, ky, kx)] + bias[g·CoutG + co]
 *
 * with iy = (oy + ph − ky·dh) / sh where that divides exactly and lies in [0, H) (ix likewise).
 * Why: the implicit GEMM (conv.wgsl.ts) gathers the transposed direction too, and at stride s it
 * multiplies s² times as many zeros (taps between input pixels) as useful terms; GEMM then col2im
 * does only the useful multiply-adds, at the price of writing and reading colT once.
 *
 * Tiling: none; one thread per output element (256 per workgroup, the flat grid of grid1d), a
 * gather, so every output is written once: no atomics, no zero-fill.
 * Memory traffic: each colT entry is read once (by the one output it lands on); neighbouring
 * threads (neighbouring ox) read entries kH·kW·CoutG floats apart at stride 1, neighbouring ones
 * at stride s > 1 every other pixel: uncoalesced, but this pass is small next to the matmul.
 * Bounds: threads past N·CoutG·H'·W' return; taps outside the input are skipped.
 * Numerics: f32, the taps summed in (ky, kx) order after the matmul summed over ci, then + bias:
 * the twin's terms, grouped differently (within the tolerance of a K-term f32 sum).
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/catalog.ts)
 */
export function col2imWgsl(bias: boolean): string {
  return /* wgsl */ `
struct Params {
  n: u32, h: u32, w: u32, cout: u32, oh: u32, ow: u32, kh: u32, kw: u32,
  sh: u32, sw: u32, ph: u32, pw: u32, dh: u32, dw: u32, coutG: u32, g: u32,
  total: u32, _p0: u32, _p1: u32, _p2: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> colT: array<f32>;
${bias ? '@group(0) @binding(2) var<storage, read> bias: array<f32>;' : ''}
@group(0) @binding(${bias ? 3 : 2}) var<storage, read_write> out: array<f32>;

${convInputIndexWgsl(true)}

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${flatIndexWgsl()};
  if (i >= p.total) { return; }
  let ox = i % p.ow;
  let oy = (i / p.ow) % p.oh;
  let co = (i / (p.ow * p.oh)) % p.coutG;
  let n = i / (p.ow * p.oh * p.coutG);
  let taps = p.kh * p.kw;
  let rowLen = p.coutG * taps;
  var acc = 0.0;
  for (var ky = 0u; ky < p.kh; ky++) {
    let iy = inputIndex(oy, ky, p.sh, p.ph, p.dh, p.h);
    if (iy < 0) { continue; }
    for (var kx = 0u; kx < p.kw; kx++) {
      let ix = inputIndex(ox, kx, p.sw, p.pw, p.dw, p.w);
      if (ix < 0) { continue; }
      acc += colT[((n * p.h + u32(iy)) * p.w + u32(ix)) * rowLen + co * taps + ky * p.kw + kx];
    }
  }
  let oc = p.g * p.coutG + co;
  out[((n * p.cout + oc) * p.oh + oy) * p.ow + ox] = acc${bias ? ' + bias[oc]' : ''};
}`;
}
