/**
 * Adam and AdamW, in place (the twin of packages/ops/src/optim/adam.ts), one tensor:
 *   g' = g + l2 * p
 *   m  = beta1 * m + (1 - beta1) * g'
 *   v  = beta2 * v + (1 - beta2) * g' * g'
 *   p  = p * decay - stepSize * m / (sqrt(v) / sqrtBc2 + eps)
 * where the launcher folds the step count and the kind of weight decay into the constants:
 * stepSize = lr / (1 - beta1^t), sqrtBc2 = sqrt(1 - beta2^t) (the bias corrections), and either
 * l2 = weightDecay, decay = 1 (Adam: decay added to the gradient) or l2 = 0,
 * decay = 1 - lr * weightDecay (AdamW: decoupled decay, applied to the weight).
 *
 * Numerics: the CPU twin computes each line in doubles (the constants are JS doubles), rounds m and
 * v once to f32 on their stores, and computes p from the stored (rounded) m and v. This kernel does
 * the same, in the same order: the f32 lanes are promoted to f64 (exact), every operation is an
 * f64 operation (wasm's sqrt and div are correctly rounded, as JS's), m and v are demoted and
 * promoted again before p's line, p is demoted once. So it is bit for bit the CPU twin. (wasm has
 * no fused multiply-add: nothing is contracted.) WebGPU computes in f32 and agrees to a few f32
 * roundings.
 *
 * SIMD layout: two elements per step as one f64x2 (the f32 pairs are read with v128.load64_zero
 * and written back with v128.store64_lane): the update is arithmetic-bound in f64 (about 14
 * operations per element), so the f32x4 -> two f64x2 shuffles of the SGD kernel would buy nothing.
 * An odd last element runs the same f64 formula in scalar code.
 *
 * Memory traffic: 16 bytes read (p, g, m, v) and 12 written (p, m, v) per element.
 *
 * Threads: the elements are cut into nthreads 16-aligned ranges; each element's update is
 * independent, so any thread count gives the same bits.
 *
 * Bounds: a thread touches only the elements of its range; the launcher checks shapes, dtypes,
 * density and that no two tensors share storage.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at } from '../shared/strided';

/** One tensor of n elements (f32, dense): param p, grad g, first moment m, second moment v. */
export function adam(
  n: i32,
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  beta1: f64,
  beta2: f64,
  eps: f64,
  l2: f64,
  decay: f64,
  stepSize: f64,
  sqrtBc2: f64,
  tid: i32,
  nthreads: i32,
): void {
  const lo = shareStart(n, tid, nthreads);
  const hi = shareEnd(n, tid, nthreads);
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const vb1 = f64x2.splat(beta1);
  const vc1 = f64x2.splat(c1);
  const vb2 = f64x2.splat(beta2);
  const vc2 = f64x2.splat(c2);
  const veps = f64x2.splat(eps);
  const vl2 = f64x2.splat(l2);
  const vdecay = f64x2.splat(decay);
  const vstep = f64x2.splat(stepSize);
  const vsq = f64x2.splat(sqrtBc2);
  let i = lo;
  for (; i + 2 <= hi; i += 2) {
    const w = f64x2.promote_low_f32x4(v128.load64_zero(at(p, i)));
    const gi = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(at(g, i))), f64x2.mul(vl2, w));
    const m0 = f64x2.promote_low_f32x4(v128.load64_zero(at(m, i)));
    const v0 = f64x2.promote_low_f32x4(v128.load64_zero(at(v, i)));
    const mNew = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(vb1, m0), f64x2.mul(vc1, gi)));
    const vNew = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(vb2, v0), f64x2.mul(f64x2.mul(vc2, gi), gi)));
    v128.store64_lane(at(m, i), mNew, 0);
    v128.store64_lane(at(v, i), vNew, 0);
    const denom = f64x2.add(f64x2.div(f64x2.sqrt(f64x2.promote_low_f32x4(vNew)), vsq), veps);
    const pNew = f64x2.sub(f64x2.mul(w, vdecay), f64x2.div(f64x2.mul(vstep, f64x2.promote_low_f32x4(mNew)), denom));
    v128.store64_lane(at(p, i), f32x4.demote_f64x2_zero(pNew), 0);
  }
  for (; i < hi; i++) {
    const w = <f64>load<f32>(at(p, i));
    const gi = <f64>load<f32>(at(g, i)) + l2 * w;
    const mNew = <f32>(beta1 * <f64>load<f32>(at(m, i)) + c1 * gi);
    const vNew = <f32>(beta2 * <f64>load<f32>(at(v, i)) + c2 * gi * gi);
    store<f32>(at(m, i), mNew);
    store<f32>(at(v, i), vNew);
    store<f32>(at(p, i), <f32>(w * decay - (stepSize * <f64>mNew) / (Math.sqrt(<f64>vNew) / sqrtBc2 + eps)));
  }
}
