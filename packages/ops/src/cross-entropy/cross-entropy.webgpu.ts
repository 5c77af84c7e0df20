import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { crossEntropyWgsl } from './cross-entropy.wgsl.js';

/** Dispatches cross-entropy.wgsl.ts for the per-row losses: one thread per row (nothing when there are no rows). */
export function crossEntropyRowsOnWebgpu(x: Tensor, l: Tensor, rows: number, len: number, perRow: Tensor): void {
  if (rows > 0) {
    asGpu(x.device).dispatch({
      label: 'crossEntropy',
      code: crossEntropyWgsl(false),
      params: new Params().u32(rows, len, l.offset, 0).f32(1).finish(),
      buffers: [x.storage, l.storage, perRow.storage],
      workgroups: grid1d(rows),
    });
  }
}

/** Dispatches cross-entropy.wgsl.ts for the gradient: one thread per row, the scale read from `s` on the device. */
export function crossEntropyGradOnWebgpu(x: Tensor, l: Tensor, s: Tensor, rows: number, len: number, out: Tensor): void {
  if (rows > 0) {
    asGpu(x.device).dispatch({
      label: 'crossEntropyGrad',
      code: crossEntropyWgsl(true),
      params: new Params()
        .u32(rows, len, l.offset, s.offset)
        .f32(1 / rows)
        .finish(),
      buffers: [x.storage, l.storage, s.storage, out.storage],
      workgroups: grid1d(rows),
    });
  }
}
