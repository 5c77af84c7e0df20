import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { maxoutBackwardWgsl, maxoutWgsl } from './maxout.wgsl.js';

/** Dispatches maxout.wgsl.ts's forward kernel: one thread per output (row, unit). */
export function maxoutOnWebgpu(x: Tensor, rows: number, units: number, pieces: number, out: Tensor, argmax: Tensor): void {
  const n = rows * units;
  asGpu(x.device, 'maxout').dispatch({
    label: 'maxout',
    code: maxoutWgsl(),
    params: new Params().u32(n, units, pieces, x.offset, x.strides[0]!, x.strides[1]!, 0, 0).finish(),
    buffers: [x.storage, out.storage, argmax.storage],
    workgroups: grid1d(n),
  });
}

/** Dispatches maxout.wgsl.ts's backward kernel (with the mask and tie variants): one thread per element of dx. */
export function maxoutBackwardOnWebgpu(dy: Tensor, argmax: Tensor, _rows: number, units: number, pieces: number, dx: Tensor, mask?: Tensor, x?: Tensor): void {
  const op = 'maxoutBackward';
  const n = dx.size;
  asGpu(dy.device, op).dispatch({
    label: op,
    code: maxoutBackwardWgsl(!!mask, !!x),
    params: new Params()
      .u32(n, units, pieces, dy.offset, dy.strides[0]!, dy.strides[1]!, argmax.offset, argmax.strides[0]!)
      .u32(argmax.strides[1]!, mask?.offset ?? 0, mask?.strides[0] ?? 0, mask?.strides[1] ?? 0)
      .u32(x?.offset ?? 0, x?.strides[0] ?? 0, x?.strides[1] ?? 0, 0)
      .finish(),
    buffers: [dy.storage, argmax.storage, ...(mask ? [mask.storage] : []), ...(x ? [x.storage] : []), dx.storage],
    workgroups: grid1d(n),
  });
}
