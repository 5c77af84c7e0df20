import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import type { RowLayout } from './softmax.cpu.js';
import { softmaxWgsl } from './softmax.wgsl.js';

/** Dispatches softmax.wgsl.ts: one thread per row. */
export function softmaxOnWebgpu(x: Tensor, layout: RowLayout, log: boolean, out: Tensor): void {
  const rows = layout.outer * layout.inner;
  asGpu(x.device).dispatch({
    label: log ? 'logSoftmax' : 'softmax',
    code: softmaxWgsl(log),
    params: new Params().u32(rows, layout.len, layout.inner, 0).finish(),
    buffers: [x.storage, out.storage],
    workgroups: grid1d(rows),
  });
}
