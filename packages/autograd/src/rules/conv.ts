import type { Tensor } from '@saddle/tensor';
import { isPointwise, type ConvGeometry } from '@saddle/ops';
import { k } from './common.js';
import type { Rule } from '../tape.js';

/**
 * The gradients of y = conv2d(x, w, {bias, stride s, padding p, dilation d, groups}), written in
 * the convolution ops themselves, so that they record and can be differentiated again:
 *
 *   dx = convTranspose2d(g, w, {s, p, d, groups, outputPadding})   (conv2d's adjoint in x; the
 *        outputPadding picks x's size among the sizes that stride s maps to y's)
 *   dw[co, ci, ky, kx] = Σ_{n, oy, ox} g[n, co, oy, ox] · x[n, ci, oy·s − p + ky·d, ox·s − p + kx·d]
 *        a correlation of x with g over the batch: conv2d with the batch as channels,
 *        conv2d(xᵀ [Cin, N, H, W], gᵀ [Cout, N, H', W'], {stride d, padding p, dilation s}), which
 *        gives [Cin, Cout, ≥kH, ≥kW] (rows past kH read only padding of the forward pass: cropped),
 *        transposed to [Cout, Cin, kH, kW]; one such product per group, concatenated
 *   dbias = Σ_{n, oy, ox} g
 *
 * A pointwise conv2d (1 x 1, stride 1, no padding) takes dw = Σ_n g_n · x_nᵀ (pointwiseProducts:
 * the matmul) instead. `saved` is [x, w].
 */
export function conv2dRule(geo: ConvGeometry): Rule {
  return (g, saved, needs) => {
    const [x, w] = saved as [Tensor, Tensor];
    const { stride, padding, dilation } = pairs(geo);
    const dx = () => {
      const base = (o: number, s: number, p: number, d: number, kk: number) => (o - 1) * s - 2 * p + d * (kk - 1) + 1;
      const outputPadding: [number, number] = [geo.h - base(geo.oh, geo.sh, geo.ph, geo.dh, geo.kh), geo.w - base(geo.ow, geo.sw, geo.pw, geo.dw, geo.kw)];
      return k.convTranspose2d(g, w, { stride, padding, dilation, groups: geo.groups, outputPadding });
    };
    const dw = () =>
      perGroup(geo, x, g, geo.cin / geo.groups, geo.cout / geo.groups, (xg, gg) =>
        isPointwise(geo)
          ? pointwiseProducts(gg, xg)
          : // [CinG, CoutG, kH', kW'] -> crop -> [CoutG, CinG, kH, kW]
            k.transpose(
              crop(k.conv2d(k.transpose(xg, [1, 0, 2, 3]), k.transpose(gg, [1, 0, 2, 3]), { stride: dilation, padding, dilation: stride }), geo.kh, geo.kw),
              [1, 0, 2, 3],
            ),
      );
    return [needs[0] ? dx() : null, needs[1] ? dw() : null, needs[2] ? k.sum(g, [0, 2, 3]) : null];
  };
}

/**
 * The gradients of y = convTranspose2d(x, w, {bias, stride s, padding p, outputPadding, dilation d,
 * groups}), again in the convolution ops:
 *
 *   dx = conv2d(g, w, {s, p, d, groups})   (the adjoint of the adjoint; with an outputPadding of
 *        s or more (allowed when below d) it has extra rows at the end, which are cropped)
 *   dw[ci, co, ky, kx] = Σ_{n, iy, ix} x[n, ci, iy, ix] · g[n, co, iy·s − p + ky·d, ix·s − p + kx·d]
 *        conv2d(gᵀ [Cout, N, H', W'], xᵀ [Cin, N, H, W], {stride d, padding p, dilation s}) gives
 *        [Cout, Cin, ≥kH, ≥kW], cropped and transposed to [Cin, Cout, kH, kW]; per group, concatenated
 *   dbias = Σ_{n, oy, ox} g
 *
 * A pointwise one takes dw = Σ_n x_n · g_nᵀ (pointwiseProducts). `saved` is [x, w].
 */
export function convTranspose2dRule(geo: ConvGeometry): Rule {
  return (g, saved, needs) => {
    const [x, w] = saved as [Tensor, Tensor];
    const { stride, padding, dilation } = pairs(geo);
    const dx = () => crop(k.conv2d(g, w, { stride, padding, dilation, groups: geo.groups }), geo.h, geo.w);
    const dw = () =>
      perGroup(geo, x, g, geo.cin / geo.groups, geo.cout / geo.groups, (xg, gg) =>
        isPointwise(geo)
          ? pointwiseProducts(xg, gg)
          : k.transpose(
              crop(k.conv2d(k.transpose(gg, [1, 0, 2, 3]), k.transpose(xg, [1, 0, 2, 3]), { stride: dilation, padding, dilation: stride }), geo.kh, geo.kw),
              [1, 0, 2, 3],
            ),
      );
    return [needs[0] ? dx() : null, needs[1] ? dw() : null, needs[2] ? k.sum(g, [0, 2, 3]) : null];
  };
}

/**
 * Σ_{n, pixels} a[n, i, ·] · b[n, j, ·] as [I, J, 1, 1], for a [N, I, H, W] and b [N, J, H, W]:
 * both permuted to [channels, N·H·W] (a copy each), then one matmul a · bᵀ (bᵀ a transposed view).
 */
function pointwiseProducts(a: Tensor, b: Tensor): Tensor {
  const [n, i, h, w] = a.shape as [number, number, number, number];
  const j = b.shape[1]!;
  const rows = (t: Tensor, c: number) => k.reshape(k.contiguous(k.transpose(t, [1, 0, 2, 3])), [c, n * h * w]);
  return k.reshape(k.matmul(rows(a, i), k.transpose(rows(b, j), [1, 0])), [i, j, 1, 1]);
}

/** The geometry's stride, padding and dilation as the ops' [h, w] options. */
function pairs(geo: ConvGeometry): { stride: [number, number]; padding: [number, number]; dilation: [number, number] } {
  return { stride: [geo.sh, geo.sw], padding: [geo.ph, geo.pw], dilation: [geo.dh, geo.dw] };
}

/** `t` [A, B, H, W] cut to its first `h` rows and `w` columns (no op when it already fits). */
function crop(t: Tensor, h: number, w: number): Tensor {
  return t.shape[2] === h && t.shape[3] === w ? t : k.slice(t, [0, 0, 0, 0], [-1, -1, h, w]);
}

/**
 * The weight gradient group by group: `fn` gets group i's channels of x (cinG of them) and of the
 * upstream gradient (coutG), and the groups' results are stacked along dim 0 (the weights' group
 * axis in both layouts). One group needs no slicing.
 */
function perGroup(geo: ConvGeometry, x: Tensor, g: Tensor, cinG: number, coutG: number, fn: (xg: Tensor, gg: Tensor) => Tensor): Tensor {
  if (geo.groups === 1) return fn(x, g);
  const parts: Tensor[] = [];
  for (let i = 0; i < geo.groups; i++) {
    parts.push(fn(k.slice(x, [0, i * cinG, 0, 0], [-1, cinG, -1, -1]), k.slice(g, [0, i * coutG, 0, 0], [-1, coutG, -1, -1])));
  }
  return k.concat(parts, 0);
}
