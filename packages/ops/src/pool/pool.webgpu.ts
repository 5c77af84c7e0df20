import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import type { PoolGeometry } from './pool.cpu.js';
import { poolBackwardWgsl, poolWgsl } from './pool.wgsl.js';

function paramsOf(g: PoolGeometry, n: number, countIncludePad: boolean): Uint8Array {
  return new Params()
    .u32(n, g.h, g.w, g.oh, g.ow, g.kH, g.kW, g.sH)
    .u32(g.sW, g.pH, g.pW, g.dH, g.dW, countIncludePad ? 1 : 0, 0, 0)
    .finish();
}

/** Dispatches pool.wgsl.ts's max kernel on dense x: one thread per output. */
export function maxPool2dOnWebgpu(xd: Tensor, g: PoolGeometry, values: Tensor, indices: Tensor): void {
  const op = 'maxPool2d';
  const n = values.size;
  asGpu(xd.device, op).dispatch({
    label: op,
    code: poolWgsl('max'),
    params: paramsOf(g, n, false),
    buffers: [xd.storage, values.storage, indices.storage],
    workgroups: grid1d(n),
  });
}

/** Dispatches pool.wgsl.ts's average kernel on dense x: one thread per output. */
export function avgPool2dOnWebgpu(xd: Tensor, g: PoolGeometry, countIncludePad: boolean, out: Tensor): void {
  const op = 'avgPool2d';
  const n = out.size;
  asGpu(xd.device, op).dispatch({
    label: op,
    code: poolWgsl('avg'),
    params: paramsOf(g, n, countIncludePad),
    buffers: [xd.storage, out.storage],
    workgroups: grid1d(n),
  });
}

/** Dispatches pool.wgsl.ts's max gradient kernel on dense dy and indices: one thread per input element. */
export function maxPool2dBackwardOnWebgpu(dyd: Tensor, id: Tensor, g: PoolGeometry, dx: Tensor): void {
  const op = 'maxPool2dBackward';
  const n = dx.size;
  asGpu(dyd.device, op).dispatch({
    label: op,
    code: poolBackwardWgsl('max'),
    params: paramsOf(g, n, false),
    buffers: [dyd.storage, id.storage, dx.storage],
    workgroups: grid1d(n),
  });
}

/** Dispatches pool.wgsl.ts's average gradient kernel on dense dy: one thread per input element. */
export function avgPool2dBackwardOnWebgpu(dyd: Tensor, g: PoolGeometry, countIncludePad: boolean, dx: Tensor): void {
  const op = 'avgPool2dBackward';
  const n = dx.size;
  asGpu(dyd.device, op).dispatch({
    label: op,
    code: poolBackwardWgsl('avg'),
    params: paramsOf(g, n, countIncludePad),
    buffers: [dyd.storage, dx.storage],
    workgroups: grid1d(n),
  });
}
