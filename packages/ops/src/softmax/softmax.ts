import { Params, SaddleError, Tensor, fmtShape, sizeOf } from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice } from '../shared/launch.js';
import { dense } from '../elementwise/elementwise.js';
import { softmaxCpu, type RowLayout } from './softmax.cpu.js';
import { softmaxWgsl } from './softmax.wgsl.js';

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
    if (x.device.kind === 'cpu') {
      softmaxCpu(xd.storage.data!, layout, log, out.storage.data!);
      return out;
    }
    const rows = layout.outer * layout.inner;
    if (x.device.kind === 'wasm') {
      const w = asWasm(x.device);
      w.run('softmaxF32', [log ? 1 : 0, rows, layout.len, layout.inner, w.address(xd.storage, xd.offset), w.address(out.storage)], out.size);
      return out;
    }
    asGpu(x.device).dispatch({
      label: op,
      code: softmaxWgsl(log),
      params: new Params().u32(rows, layout.len, layout.inner, 0).finish(),
      buffers: [xd.storage, out.storage],
      workgroups: grid1d(rows),
    });
    return out;
  } finally {
    if (xd !== x) xd.dispose();
  }
}
