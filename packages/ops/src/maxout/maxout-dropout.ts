import { Params, Tensor, ones } from '@saddle/tensor';
import { asGpu, asWasm, grid1d } from '../shared/launch.js';
import { resolveStream } from '../random/generator.js';
import { keepThreshold } from '../dropout/dropout.cpu.js';
import { checkKeep, type DropoutOptions } from '../dropout/dropout.js';
import { maxoutDropoutCpu } from './maxout-dropout.cpu.js';
import { maxoutDropoutWgsl } from './maxout-dropout.wgsl.js';
import { checkMaxoutInput, maxout, view2d } from './maxout.js';

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
  if (device.kind === 'cpu') {
    const scale = x.dtype === 'f32' ? Math.fround(1 / keep) : 1 / keep;
    maxoutDropoutCpu(view2d(x), rows, units, pieces, stream, threshold, scale, out.storage.data!, argmax.storage.data!, mask.storage.data!);
    return { out, argmax, mask };
  }
  if (device.kind === 'wasm') {
    const w = asWasm(device);
    const args = [rows, units, pieces, w.address(x.storage, x.offset), x.strides[0]!, x.strides[1]!, w.address(out.storage), w.address(argmax.storage), w.address(mask.storage)] as const;
    w.run('maxoutDropout', [...args, ...stream.key, ...stream.offset, threshold, 1 / keep], n * (pieces + 20));
    return { out, argmax, mask };
  }
  asGpu(device, op).dispatch({
    label: op,
    code: maxoutDropoutWgsl,
    params: new Params()
      .u32(n, units, pieces, x.offset, x.strides[0]!, x.strides[1]!, threshold, stream.key[0])
      .u32(stream.key[1], stream.offset[0], stream.offset[1])
      .f32(1 / keep)
      .finish(),
    buffers: [x.storage, out.storage, argmax.storage, mask.storage],
    workgroups: grid1d(Math.ceil(n / 4)),
  });
  return { out, argmax, mask };
}
