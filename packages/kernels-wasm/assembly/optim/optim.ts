/**
 * SGD with classic momentum, in place (the twin of packages/ops/src/optim):
 *   v = momentum * v - lr * (g + weightDecay * p);  p = p + v
 * for one tensor (sgdMomentum) or a list of tensors in one call (sgdMomentumMulti).
 *
 * Numerics: the CPU twin computes v in doubles (the hyperparameters are JS doubles) and rounds it
 * once to f32 on the store; p + v of two f32s, computed in doubles and rounded, is the f32 sum. This
 * kernel does exactly that, in the same order: the f32 lanes are promoted to f64x2 (exact), the
 * update runs in f64 with the f64 hyperparameters, v is demoted (one rounding), and p + v is an
 * f32 add. So it is bit for bit the CPU twin. (wasm has no fused multiply-add, so nothing is
 * contracted.) WebGPU computes in f32 and agrees to a few f32 roundings.
 *
 * SIMD layout: four elements per step: one f32x4 load each of p, g and v, promoted to two f64x2
 * halves (lanes 0-1, then 2-3 after a shuffle), computed, demoted and rejoined by one shuffle.
 * The last size % 4 elements run the same f64 formula in scalar code (the same bits per lane).
 *
 * Memory traffic: 12 bytes read and 8 written per element; the f64 arithmetic (5 operations on
 * two f64x2 halves) stays below the memory time.
 *
 * Threads: the elements (of every tensor, end to end, for the multi-tensor call) are cut into
 * nthreads 16-aligned ranges; each element's update is independent, so any thread count gives
 * the same bits.
 *
 * Bounds: a thread touches only the elements of its range; the launcher checks shapes, dtypes,
 * density and that no two tensors share storage.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { at } from '../shared/strided';
import { highF64, joinF32, lowF64 } from '../shared/widen';

/** Elements [lo, hi) of one tensor. */
@inline
function updateRange(p: usize, g: usize, v: usize, lo: i32, hi: i32, lr: f64, momentum: f64, wd: f64): void {
  const vlr = f64x2.splat(lr);
  const vm = f64x2.splat(momentum);
  const vwd = f64x2.splat(wd);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const pv = v128.load(at(p, i));
    const gv = v128.load(at(g, i));
    const vv = v128.load(at(v, i));
    // Lanes 0-1 and 2-3 as f64x2.
    const p0 = lowF64(pv), p1 = highF64(pv);
    const g0 = lowF64(gv), g1 = highF64(gv);
    const v0 = lowF64(vv), v1 = highF64(vv);
    const n0 = f64x2.sub(f64x2.mul(vm, v0), f64x2.mul(vlr, f64x2.add(g0, f64x2.mul(vwd, p0))));
    const n1 = f64x2.sub(f64x2.mul(vm, v1), f64x2.mul(vlr, f64x2.add(g1, f64x2.mul(vwd, p1))));
    const vNew = joinF32(n0, n1);
    v128.store(at(v, i), vNew);
    v128.store(at(p, i), f32x4.add(pv, vNew));
  }
  for (; i < hi; i++) {
    const pi = load<f32>(at(p, i));
    const vNew = <f32>(momentum * <f64>load<f32>(at(v, i)) - lr * (<f64>load<f32>(at(g, i)) + wd * <f64>pi));
    store<f32>(at(v, i), vNew);
    store<f32>(at(p, i), pi + vNew);
  }
}

/** One tensor of n elements (f32, dense). */
export function sgdMomentum(n: i32, p: usize, g: usize, v: usize, lr: f64, momentum: f64, wd: f64, tid: i32, nthreads: i32): void {
  updateRange(p, g, v, shareStart(n, tid, nthreads), shareEnd(n, tid, nthreads), lr, momentum, wd);
}

/**
 * `count` tensors: `table` holds four i32 per tensor (param, grad and velocity addresses, size).
 * The threads split the concatenation of all the tensors' elements.
 */
export function sgdMomentumMulti(count: i32, table: usize, lr: f64, momentum: f64, wd: f64, tid: i32, nthreads: i32): void {
  let total = 0;
  for (let t = 0; t < count; t++) total += load<i32>(table + (<usize>(4 * t + 3) << 2));
  const start = shareStart(total, tid, nthreads);
  const end = shareEnd(total, tid, nthreads);
  let base = 0;
  for (let t = 0; t < count && base < end; t++) {
    const row = table + (<usize>(4 * t) << 2);
    const size = load<i32>(row, 12);
    const lo = max(start, base) - base;
    const hi = min(end, base + size) - base;
    if (lo < hi) updateRange(load<u32>(row), load<u32>(row, 4), load<u32>(row, 8), lo, hi, lr, momentum, wd);
    base += size;
  }
}
