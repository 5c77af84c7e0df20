import type { Tensor } from '@saddle/tensor';
import { contiguous } from '../elementwise/elementwise.js';
import { reshape, slice, transpose } from '../shape/shape.js';
import type { ConvGeometry } from './conv.cpu.js';

/**
 * convTranspose2d's matmul operands for group g, dense: x_g as [CinG, N·H·W] (a permuting copy)
 * and W_g as [CinG, CoutG·kH·kW] (a view of w for one group, else a copy of the group's rows).
 */
export function transposedOperands(geo: ConvGeometry, x: Tensor, w: Tensor, g: number): { xg: Tensor; wg: Tensor } {
  const cinG = geo.cin / geo.groups;
  const plane = geo.h * geo.w;
  const xg = contiguous(transpose(reshape(slice(x, [0, g * cinG, 0, 0], [-1, cinG, -1, -1]), [geo.n, cinG, plane]), [1, 0, 2]));
  const wg = geo.groups === 1 ? w : contiguous(slice(w, [g * cinG, 0, 0, 0], [cinG, -1, -1, -1]));
  return { xg: reshape(xg, [cinG, geo.n * plane]), wg: reshape(wg, [cinG, (geo.cout / geo.groups) * geo.kh * geo.kw]) };
}
