import type { Tensor, TypedArray } from '@saddle/tensor';

/** A pooling window: kernel size, stride, padding and dilation along H and W. */
export interface PoolWindow {
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  dH: number;
  dW: number;
}

/**
 * The shape of a 2-D pooling over a dense NCHW input: `planes` = N * C planes of h x w, pooled by a
 * kH x kW window moved by (sH, sW), the input padded by (pH, pW) on each side, the window's taps
 * (dH, dW) apart (dilation; 1 for average pooling). The output is planes x oh x ow, dense.
 */
export interface PoolGeometry extends PoolWindow {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
}

/**
 * The divisor of average pooling's output (oh, ow): kH * kW with `countIncludePad` (the padded
 * window always fits: no ceil mode), else the number of the window's taps inside the input.
 */
export function avgDivisor(g: PoolGeometry, oh: number, ow: number, countIncludePad: boolean): number {
  if (countIncludePad) return g.kH * g.kW;
  const h0 = oh * g.sH - g.pH;
  const w0 = ow * g.sW - g.pW;
  return (Math.min(h0 + g.kH, g.h) - Math.max(h0, 0)) * (Math.min(w0 + g.kW, g.w) - Math.max(w0, 0));
}

const rounder = (out: TypedArray) => (out instanceof Float32Array ? Math.fround : (v: number) => v);

/**
 * CPU twin of the max-pooling forward kernel: out[p, oh, ow] is the max of the window's taps inside
 * the input (padding counts as -inf: it never wins), and indices[p, oh, ow] the flat position
 * ih * w + iw of the first tap that attains it, PyTorch's index; a NaN tap wins (the first NaN). A
 * window with no tap inside the input (possible only with dilation) gives -inf and index -1.
 */
export function maxPool2dCpu(x: TypedArray, g: PoolGeometry, out: TypedArray, indices: TypedArray): void {
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * g.h * g.w;
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++, o++) {
        let best = -Infinity;
        let arg = -1;
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.sH - g.pH + kh * g.dH;
          if (ih < 0 || ih >= g.h) continue;
          for (let kw = 0; kw < g.kW; kw++) {
            const iw = ow * g.sW - g.pW + kw * g.dW;
            if (iw < 0 || iw >= g.w) continue;
            const v = x[base + ih * g.w + iw]!;
            if (arg < 0 || (!Number.isNaN(best) && (Number.isNaN(v) || v > best))) {
              best = v;
              arg = ih * g.w + iw;
            }
          }
        }
        out[o] = best;
        indices[o] = arg;
      }
    }
  }
}

/**
 * CPU twin of the average-pooling forward kernel: the sum of the window's taps inside the input,
 * in row-major window order, rounded to the output's dtype after every add as the f32 kernels add,
 * divided by `avgDivisor`.
 */
export function avgPool2dCpu(x: TypedArray, g: PoolGeometry, countIncludePad: boolean, out: TypedArray): void {
  const round = rounder(out);
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * g.h * g.w;
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++, o++) {
        let sum = 0;
        for (let kh = 0; kh < g.kH; kh++) {
          const ih = oh * g.sH - g.pH + kh;
          if (ih < 0 || ih >= g.h) continue;
          for (let kw = 0; kw < g.kW; kw++) {
            const iw = ow * g.sW - g.pW + kw;
            if (iw >= 0 && iw < g.w) sum = round(sum + x[base + ih * g.w + iw]!);
          }
        }
        out[o] = round(sum / avgDivisor(g, oh, ow, countIncludePad));
      }
    }
  }
}

/**
 * The backward gather shared by both pools: dx[p, ih, iw] is the sum of `term(o, oh, ow, ih * w +
 * iw)` over the outputs o whose window holds input tap (ih, iw) of plane p, in the order kh, then
 * kw ascending (the order the kernels sum in), each add rounded to dx's dtype.
 */
function poolBackwardCpu(g: PoolGeometry, dx: TypedArray, term: (o: number, oh: number, ow: number, me: number) => number): void {
  const round = rounder(dx);
  let i = 0;
  for (let p = 0; p < g.planes; p++) {
    for (let ih = 0; ih < g.h; ih++) {
      for (let iw = 0; iw < g.w; iw++, i++) {
        let acc = 0;
        for (let kh = 0; kh < g.kH; kh++) {
          const th = ih + g.pH - kh * g.dH;
          if (th < 0 || th % g.sH !== 0 || th / g.sH >= g.oh) continue;
          const oh = th / g.sH;
          for (let kw = 0; kw < g.kW; kw++) {
            const tw = iw + g.pW - kw * g.dW;
            if (tw < 0 || tw % g.sW !== 0 || tw / g.sW >= g.ow) continue;
            const ow = tw / g.sW;
            acc = round(acc + term((p * g.oh + oh) * g.ow + ow, oh, ow, ih * g.w + iw));
          }
        }
        dx[i] = acc;
      }
    }
  }
}

/**
 * CPU twin of the max-pooling backward kernel: dx[p, ih, iw] is the sum of dy over the outputs
 * whose index names (ih, iw) (overlapping windows can pick one tap several times); dy and indices
 * are dense [planes, oh, ow].
 */
export function maxPool2dBackwardCpu(dy: TypedArray, indices: TypedArray, g: PoolGeometry, dx: TypedArray): void {
  poolBackwardCpu(g, dx, (o, _oh, _ow, me) => (indices[o] === me ? dy[o]! : 0));
}

/**
 * CPU twin of the average-pooling backward kernel: dx[p, ih, iw] is the sum, over the outputs whose
 * window holds (ih, iw), of dy / divisor (each share rounded, then each add, as f32 does).
 */
export function avgPool2dBackwardCpu(dy: TypedArray, g: PoolGeometry, countIncludePad: boolean, dx: TypedArray): void {
  const round = rounder(dx);
  poolBackwardCpu(g, dx, (o, oh, ow) => round(dy[o]! / avgDivisor(g, oh, ow, countIncludePad)));
}

/** maxPool2d's CPU entry: the twin on dense x's array into `values` and `indices`. */
export function maxPool2dOnCpu(xd: Tensor, g: PoolGeometry, values: Tensor, indices: Tensor): void {
  maxPool2dCpu(xd.storage.data!, g, values.storage.data!, indices.storage.data!);
}

/** avgPool2d's CPU entry: the twin on dense x's array into `out`. */
export function avgPool2dOnCpu(xd: Tensor, g: PoolGeometry, countIncludePad: boolean, out: Tensor): void {
  avgPool2dCpu(xd.storage.data!, g, countIncludePad, out.storage.data!);
}

/** maxPool2dBackward's CPU entry: the twin on dense dy and indices into `dx`. */
export function maxPool2dBackwardOnCpu(dyd: Tensor, id: Tensor, g: PoolGeometry, dx: Tensor): void {
  maxPool2dBackwardCpu(dyd.storage.data!, id.storage.data!, g, dx.storage.data!);
}

/** avgPool2dBackward's CPU entry: the twin on dense dy into `dx`. */
export function avgPool2dBackwardOnCpu(dyd: Tensor, g: PoolGeometry, countIncludePad: boolean, dx: Tensor): void {
  avgPool2dBackwardCpu(dyd.storage.data!, g, countIncludePad, dx.storage.data!);
}
