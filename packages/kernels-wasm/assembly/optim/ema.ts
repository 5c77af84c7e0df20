/**
 * The exponential moving average of a tensor, in place (the twin of
 * packages/ops/src/optim/ema.ts): t = decay * t + oneMinusDecay * s, one tensor of n
 * f32 elements, target t (written) and source s.
 *
 * Numerics: the CPU twin computes each element in doubles (decay and 1 - decay are JS doubles, the
 * launcher computes 1 - decay) and rounds once to f32 on the store. This kernel does the same: the
 * f32 lanes are promoted to f64x2 (exact), two products and a sum in f64, one demotion. So it is
 * bit for bit the CPU twin. (f64x2 has no fused multiply-add in either build.)
 *
 * SIMD layout: four elements per step: one f32x4 load of t and of s, each promoted to two f64x2
 * halves (lanes 0-1, then 2-3 after a shuffle), computed, demoted and rejoined by one shuffle; the
 * last n % 4 elements run the same f64 formula in scalar code.
 *
 * Memory traffic: 8 bytes read and 4 written per element (what it replaces, a subtraction into a
 * temporary then the SGD kernel with momentum 0 over a scratch velocity, moved 32).
 *
 * Threads: the elements are cut into nthreads 16-aligned ranges; each element is independent, so
 * any thread count gives the same bits.
 *
 * Bounds: a thread touches only the elements of its range; the launcher checks shapes, dtypes,
 * density and that the two tensors do not share storage.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at } from '../shared/strided';
import { highF64, joinF32, lowF64 } from '../shared/widen';

export function emaUpdate(n: i32, t: usize, s: usize, decay: f64, oneMinusDecay: f64, tid: i32, nthreads: i32): void {
  const lo = shareStart(n, tid, nthreads);
  const hi = shareEnd(n, tid, nthreads);
  const vd = f64x2.splat(decay);
  const vc = f64x2.splat(oneMinusDecay);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const tv = v128.load(at(t, i));
    const sv = v128.load(at(s, i));
    const n0 = f64x2.add(f64x2.mul(vd, lowF64(tv)), f64x2.mul(vc, lowF64(sv)));
    const n1 = f64x2.add(f64x2.mul(vd, highF64(tv)), f64x2.mul(vc, highF64(sv)));
    v128.store(at(t, i), joinF32(n0, n1));
  }
  for (; i < hi; i++) {
    store<f32>(at(t, i), <f32>(decay * <f64>load<f32>(at(t, i)) + oneMinusDecay * <f64>load<f32>(at(s, i))));
  }
}
