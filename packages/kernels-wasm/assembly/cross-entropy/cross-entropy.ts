/**
 * Cross-entropy of softmax(logits) against integer class labels, fused: logits [N, C] (dense f32),
 * labels i32 [N]; the twin of packages/ops/src/cross-entropy.
 *
 * Blocking: a row is the unit of work, as in softmax (whose rowMax / rowSumExp it shares: the
 * same SIMD layout, four lane partials combined in a fixed order). The loss kernel writes row n's
 * logsumexp(x_n) - x_n[label_n] = max + log(sum) - x_n[label_n]; the launcher takes the mean with
 * the reduce kernel. The gradient kernel makes a third pass writing (softmax - onehot) * k, so
 * backward needs no softmax tensor in memory.
 *
 * Threads: rows cut into nthreads ranges (alignment 1); a row's instructions do not depend on the
 * split, so 1 and N threads agree bit for bit.
 *
 * Bounds: a thread touches only its rows. Labels are checked by the launcher before the call (it
 * reads them from the shared memory), with the CPU twin's error; the kernel reads x at the label
 * only for labels in [0, C).
 *
 * Numerics: never log(softmax); with the maximum subtracted every exp argument is <= 0 and the
 * sum is >= 1. Against the double twin: exp's ~1 ulp, log's ~1 ulp and the f32 row sum.
 * @kernel-header (the page's kernel reader shows this comment; see demo/src/kernels/wasm-catalog.ts)
 */
import { shareEnd, shareStart } from '../shared/threads';
import { lane0, logV } from '../shared/math';
import { prob, rowMax, rowSumExp } from '../softmax/softmax';

/** perRow[r] = logsumexp(x_r) - x_r[labels[r]] for r in [0, rows). */
export function crossEntropyRowsF32(rows: i32, len: i32, x: usize, labels: usize, perRow: usize, tid: i32, nthreads: i32): void {
  const start = shareStart(rows, tid, nthreads, 1);
  const end = shareEnd(rows, tid, nthreads, 1);
  for (let r = start; r < end; r++) {
    const xr = x + ((<usize>r * <usize>len) << 2);
    const m = rowMax(xr, len, 4);
    const s = rowSumExp(xr, len, 4, m);
    const label = load<i32>(labels + ((<usize>r) << 2));
    store<f32>(perRow + ((<usize>r) << 2), m + lane0(logV(f32x4.splat(s))) - load<f32>(xr + ((<usize>label) << 2)));
  }
}

/** out[r, c] = (softmax(x_r)[c] - (c == labels[r])) * scales[0] * k, for the rows of this share. */
export function crossEntropyGradF32(rows: i32, len: i32, x: usize, labels: usize, scale: usize, k: f32, out: usize, tid: i32, nthreads: i32): void {
  const start = shareStart(rows, tid, nthreads, 1);
  const end = shareEnd(rows, tid, nthreads, 1);
  const kk = load<f32>(scale) * k;
  for (let r = start; r < end; r++) {
    const off = (<usize>r * <usize>len) << 2;
    const xr = x + off;
    const or = out + off;
    const m = rowMax(xr, len, 4);
    const inv: f32 = 1 / rowSumExp(xr, len, 4, m);
    const label = load<i32>(labels + ((<usize>r) << 2));
    for (let c = 0; c < len; c++) {
      const p = prob(load<f32>(xr + ((<usize>c) << 2)), m, inv);
      store<f32>(or + ((<usize>c) << 2), (p - (c == label ? <f32>1 : <f32>0)) * kk);
    }
  }
}
