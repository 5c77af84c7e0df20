import { SaddleError, Tensor, fmtShape, sizeOf } from '@saddle/tensor';
import { sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { softmaxOnCpu, type RowLayout } from './softmax.cpu.js';
import { softmaxOnWasm } from './softmax.wasm.js';
import { softmaxOnWebgpu } from './softmax.webgpu.js';

/** Softmax (log-softmax when `log`) of dense `x` into `out`, viewed as [outer, len, inner], on each device. */
const SOFTMAX: DeviceTable<(x: Tensor, layout: RowLayout, log: boolean, out: Tensor) => void> = {
  cpu: softmaxOnCpu,
  wasm: softmaxOnWasm,
  webgpu: softmaxOnWebgpu,
};

/** Checks a float input and one axis of it; returns the axis (non-negative) and the row layout. */
export function rowLayout(op: string, x: Tensor, axis: number): { axis: number; layout: RowLayout } {
  sameDevice(op, x);
  if (x.dtype !== 'f32' && x.dtype !== 'f64') throw new SaddleError(op, `x has dtype ${x.dtype}; expected f32 (or f64 on the CPU)`);
  if (!Number.isInteger(axis) || axis < -x.rank || axis >= x.rank) {
    throw new SaddleError(op, `axis ${axis} is out of range for x of shape ${fmtShape(x.shape)}; expected an integer in [${-x.rank}, ${x.rank - 1}]`);
  }
  const a = axis < 0 ? axis + x.rank : axis;
  return { axis: a, layout: { outer: sizeOf(x.shape.slice(0, a)), len: x.shape[a]!, inner: sizeOf(x.shape.slice(a + 1)) } };
}

/** softmax(x) along `axis` (default: the last): exp(x - max) / sum(exp(x - max)). A new dense tensor. */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp('softmax', x, axis, false);
}

/** log(softmax(x)) along `axis` (default: the last), computed as x - max - log(sum(exp(x - max))). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp('logSoftmax', x, axis, true);
}

function softmaxOp(op: string, x: Tensor, axis: number, log: boolean): Tensor {
  const { layout } = rowLayout(op, x, axis);
  const out = Tensor.empty(x.shape, x.dtype, x.device);
  if (out.size === 0) return out;
  const xd = dense(x);
  try {
    SOFTMAX[x.device.kind](xd, layout, log, out);
    return out;
  } finally {
    if (xd !== x) xd.dispose();
  }
}
