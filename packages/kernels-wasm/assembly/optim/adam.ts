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
 * Numerics: f32 throughout, as PyTorch's Adam for f32 parameters and as the WGSL kernel: the
 * constants arrive as f64 (folded on the host in doubles: 1 - beta1 and 1 - beta2 too, which the
 * f32 beta2 would lose to cancellation) and are rounded once to f32 here; every operation is one
 * f32 operation (wasm's f32 sqrt and div are correctly rounded), in the CPU twin's order, and the
 * twin rounds each of its double operations to f32 (Math.fround: for +, -, *, / and sqrt of f32
 * operands the double result rounded to f32 is the f32 result), so this kernel is bit for bit the
 * twin. No operation is fused, in the relaxed-SIMD build too (plain f32x4.mul and add). An earlier
 * version promoted every lane to f64 (the twin then computed in doubles): its two f64 divisions
 * and square root per element made the update ~4x the SGD kernel's time on the quick preset.
 *
 * SIMD layout: four elements per step as one f32x4 (loads and stores of 16 bytes, unaligned where
 * a tensor's size is not a multiple of 4); the last n % 4 elements of a range run the same f32
 * formula in scalar code (the same bits per lane).
 *
 * Memory traffic: 16 bytes read (p, g, m, v) and 12 written (p, m, v) per element.
 *
 * Threads: the elements are cut into nthreads 16-aligned ranges; each element's update is
 * independent, so any thread count gives the same bits. (A multi-tensor variant, one call per
 * player like SGD's, measured no faster on the quick preset's 12 tensors: benchmarks/src/optimizer-probe.ts.)
 *
 * Bounds: a thread touches only the elements of its range; the launcher checks shapes, dtypes,
 * density and that no two tensors share storage.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at } from '../shared/strided';

/** Elements [lo, hi) of one tensor; the constants already rounded to f32. */
@inline
function adamRange(p: usize, g: usize, m: usize, v: usize, lo: i32, hi: i32, beta1: f32, beta2: f32, c1: f32, c2: f32, eps: f32, l2: f32, decay: f32, stepSize: f32, sqrtBc2: f32): void {
  const vb1 = f32x4.splat(beta1);
  const vb2 = f32x4.splat(beta2);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(c2);
  const veps = f32x4.splat(eps);
  const vl2 = f32x4.splat(l2);
  const vdecay = f32x4.splat(decay);
  const vstep = f32x4.splat(stepSize);
  const vsq = f32x4.splat(sqrtBc2);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const w = v128.load(at(p, i));
    const gi = f32x4.add(v128.load(at(g, i)), f32x4.mul(vl2, w));
    const mNew = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vc1, gi));
    const vNew = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(f32x4.mul(vc2, gi), gi));
    v128.store(at(m, i), mNew);
    v128.store(at(v, i), vNew);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vNew), vsq), veps);
    v128.store(at(p, i), f32x4.sub(f32x4.mul(w, vdecay), f32x4.div(f32x4.mul(vstep, mNew), denom)));
  }
  for (; i < hi; i++) {
    const w = load<f32>(at(p, i));
    const gi: f32 = load<f32>(at(g, i)) + l2 * w;
    const mNew: f32 = beta1 * load<f32>(at(m, i)) + c1 * gi;
    const vNew: f32 = beta2 * load<f32>(at(v, i)) + c2 * gi * gi;
    store<f32>(at(m, i), mNew);
    store<f32>(at(v, i), vNew);
    store<f32>(at(p, i), w * decay - (stepSize * mNew) / (Mathf.sqrt(vNew) / sqrtBc2 + eps));
  }
}

/** One tensor of n elements (f32, dense): param p, grad g, first moment m, second moment v. */
export function adam(
  n: i32,
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  beta1: f64,
  beta2: f64,
  oneMinusBeta1: f64,
  oneMinusBeta2: f64,
  eps: f64,
  l2: f64,
  decay: f64,
  stepSize: f64,
  sqrtBc2: f64,
  tid: i32,
  nthreads: i32,
): void {
  adamRange(p, g, m, v, shareStart(n, tid, nthreads), shareEnd(n, tid, nthreads), <f32>beta1, <f32>beta2, <f32>oneMinusBeta1, <f32>oneMinusBeta2, <f32>eps, <f32>l2, <f32>decay, <f32>stepSize, <f32>sqrtBc2);
}

