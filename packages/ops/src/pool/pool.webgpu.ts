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

/** One thread per element of `n` (outputs forward, inputs backward): every pool kernel's dispatch. */
function dispatchPool(op: string, code: string, g: PoolGeometry, n: number, countIncludePad: boolean, tensors: Tensor[]): void {
  asGpu(tensors[0]!.device, op).dispatch({
    label: op,
    code,
    params: paramsOf(g, n, countIncludePad),
    buffers: tensors.map((t) => t.storage),
    workgroups: grid1d(n),
  });
}

/** Dispatches pool.wgsl.ts's max kernel on dense x: one thread per output. */
export function maxPool2dOnWebgpu(xd: Tensor, g: PoolGeometry, values: Tensor, indices: Tensor): void {
  dispatchPool('maxPool2d', poolWgsl('max'), g, values.size, false, [xd, values, indices]);
}

/** Dispatches pool.wgsl.ts's average kernel on dense x: one thread per output. */
export function avgPool2dOnWebgpu(xd: Tensor, g: PoolGeometry, countIncludePad: boolean, out: Tensor): void {
  dispatchPool('avgPool2d', poolWgsl('avg'), g, out.size, countIncludePad, [xd, out]);
}

/** Dispatches pool.wgsl.ts's max gradient kernel on dense dy and indices: one thread per input element. */
export function maxPool2dBackwardOnWebgpu(dyd: Tensor, id: Tensor, g: PoolGeometry, dx: Tensor): void {
  dispatchPool('maxPool2dBackward', poolBackwardWgsl('max'), g, dx.size, false, [dyd, id, dx]);
}

/** Dispatches pool.wgsl.ts's average gradient kernel on dense dy: one thread per input element. */
export function avgPool2dBackwardOnWebgpu(dyd: Tensor, g: PoolGeometry, countIncludePad: boolean, dx: Tensor): void {
  dispatchPool('avgPool2dBackward', poolBackwardWgsl('avg'), g, dx.size, countIncludePad, [dyd, dx]);
}
