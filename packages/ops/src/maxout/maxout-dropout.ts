import { Tensor, ones } from '@saddle/tensor';
import type { DeviceTable } from '../shared/device-table.js';
import { resolveStream } from '../random/generator.js';
import type { Stream } from '../random/random.cpu.js';
import { keepThreshold } from '../dropout/dropout.cpu.js';
import { checkKeep, type DropoutOptions } from '../dropout/dropout.js';
import { maxoutDropoutOnCpu } from './maxout-dropout.cpu.js';
import { maxoutDropoutOnWasm } from './maxout-dropout.wasm.js';
import { maxoutDropoutOnWebgpu } from './maxout-dropout.webgpu.js';
import { checkMaxoutInput, maxout } from './maxout.js';

/** Non-empty fused maxout + dropout of x into out, argmax and mask, the mask drawn from `stream`, on each device. */
const MAXOUT_DROPOUT: DeviceTable<
  (x: Tensor, rows: number, units: number, pieces: number, stream: Stream, threshold: number, keep: number, out: Tensor, argmax: Tensor, mask: Tensor) => void
> = {
  cpu: maxoutDropoutOnCpu,
  wasm: maxoutDropoutOnWasm,
  webgpu: maxoutDropoutOnWebgpu,
};

/**
 * Maxout followed by inverted dropout of its output, in one kernel: x is [B, units * pieces] (unit
 * u's pieces are the adjacent columns u*pieces .. u*pieces+pieces-1). Returns `out` [B, units], the
 * max over each unit's pieces times the mask; `argmax`, the winning piece (i32 [B, units], as `maxout`
 * returns it); and `mask` [B, units], 0 or 1/keep, x's dtype.
 *
 * The mask is drawn for the output's shape from the same stream and by the same test as
 * `dropoutMask([B, units], keep, opts)`, so `maxoutDropout(x, pieces, keep, opts)` equals
 * `dropout(maxout(x, pieces).out, keep, opts)` bit for bit, on every device, and advances the
 * generator by the same amount. keep = 1 returns maxout's result and a mask of ones and draws nothing.
 * The gradient is `maxoutBackward(dy, argmax, pieces, mask)`.
 */
export function maxoutDropout(x: Tensor, pieces: number, keep: number, opts: DropoutOptions = {}): { out: Tensor; argmax: Tensor; mask: Tensor } {
  const op = 'maxoutDropout';
  const { device, rows, units } = checkMaxoutInput(op, x, pieces);
  checkKeep(op, keep);
  if (keep === 1) {
    return { ...maxout(x, pieces), mask: ones([rows, units], { dtype: x.dtype, device }) };
  }
  const n = rows * units;
  const stream = resolveStream(op, n, opts);
  const out = Tensor.empty([rows, units], x.dtype, device);
  const argmax = Tensor.empty([rows, units], 'i32', device);
  const mask = Tensor.empty([rows, units], x.dtype, device);
  if (n === 0) return { out, argmax, mask };
  const threshold = keepThreshold(keep);
  MAXOUT_DROPOUT[device.kind](x, rows, units, pieces, stream, threshold, keep, out, argmax, mask);
  return { out, argmax, mask };
}
