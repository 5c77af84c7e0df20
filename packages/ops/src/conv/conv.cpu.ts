import type { Tensor, TypedArray } from '@saddle/tensor';

/**
 * One convolution, resolved: the input [n, cin, h, w], the output [n, cout, oh, ow], the kernel
 * window kh x kw, stride, padding (top/left; the bottom/right padding is what the output size
 * implies), dilation and groups; `transposed` for convTranspose2d (the input-gradient of conv2d).
 */
export interface ConvGeometry {
  n: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  groups: number;
  transposed: boolean;
}

/**
 * Whether a convolution is pointwise: a 1 x 1 kernel, stride 1, no padding, and (which a transposed
 * one's outputPadding could break) the output the input's size. Then it is a plain product over the
 * pixels: the wasm conv2d packs straight from x, and the weight gradient is one matmul.
 */
export function isPointwise(geo: ConvGeometry): boolean {
  return geo.kh === 1 && geo.kw === 1 && geo.sh === 1 && geo.sw === 1 && geo.ph === 0 && geo.pw === 0 && geo.oh === geo.h && geo.ow === geo.w;
}

/**
 * CPU twin of the convolution kernels (conv.wgsl.ts, kernels-wasm's conv/conv.ts): both directions
 * in one loop nest, written as the definition. For output element out[n, g·coutG + co, oy, ox]:
 *
 *   conv2d:           Σ_{ci, ky, kx} x[n, g·cinG + ci, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw] · w[g·coutG + co, ci, ky, kx]
 *   convTranspose2d:  Σ_{ci, ky, kx} x[n, g·cinG + ci, (oy + ph − ky·dh)/sh, (ox + pw − kx·dw)/sw] · w[g·cinG + ci, co, ky, kx]
 *
 * (the transposed form keeps a tap only where the division is exact), + bias[g·coutG + co]. Taps
 * that fall in the padding, or between the input's rows in the transposed form, are skipped.
 * Numerics: the terms are summed in doubles in (ci, ky, kx) order, the kernels' order, and rounded
 * once on the store (f32 storage) or kept (f64).
 */
export function convCpu(geo: ConvGeometry, x: TypedArray, w: TypedArray, bias: TypedArray | null, out: TypedArray): void {
  const { n, cin, h, w: wd, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups, transposed } = geo;
  const cinG = cin / groups;
  const coutG = cout / groups;
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      for (let co = 0; co < coutG; co++) {
        const oc = g * coutG + co;
        for (let oy = 0; oy < oh; oy++) {
          for (let ox = 0; ox < ow; ox++) {
            let acc = 0;
            for (let ci = 0; ci < cinG; ci++) {
              const ic = g * cinG + ci;
              for (let ky = 0; ky < kh; ky++) {
                const iy = inputIndex(oy, ky, sh, ph, dh, h, transposed);
                if (iy < 0) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = inputIndex(ox, kx, sw, pw, dw, wd, transposed);
                  if (ix < 0) continue;
                  const wi = transposed ? ((ic * coutG + co) * kh + ky) * kw + kx : ((oc * cinG + ci) * kh + ky) * kw + kx;
                  acc += x[((b * cin + ic) * h + iy) * wd + ix]! * w[wi]!;
                }
              }
            }
            out[((b * cout + oc) * oh + oy) * ow + ox] = bias ? acc + bias[oc]! : acc;
          }
        }
      }
    }
  }
}

/**
 * The input row (or column) that output position `o` reads through kernel tap `k`, or -1 when the
 * tap falls in the padding (or, transposed, between input rows).
 */
function inputIndex(o: number, k: number, stride: number, pad: number, dil: number, size: number, transposed: boolean): number {
  if (!transposed) {
    const i = o * stride - pad + k * dil;
    return i >= 0 && i < size ? i : -1;
  }
  const t = o + pad - k * dil;
  if (t < 0 || t % stride !== 0) return -1;
  const i = t / stride;
  return i < size ? i : -1;
}

/** The op's CPU entry: the twin on the dense tensors' arrays. */
export function convOnCpu(_op: string, geo: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | undefined, out: Tensor): void {
  convCpu(geo, x.storage.data!, w.storage.data!, bias ? bias.storage.data! : null, out.storage.data!);
}
