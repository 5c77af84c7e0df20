import { Params, type Shape, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d, wgslType } from '../shared/launch.js';
import type { TensorRead } from './where.cpu.js';
import { whereWgsl } from './where.wgsl.js';

/** Dispatches where.wgsl.ts: one thread per output element, each operand read through its strides. */
export function whereOnWebgpu(c: TensorRead, a: TensorRead, b: TensorRead, shape: Shape, out: Tensor): void {
  const op = 'where';
  asGpu(out.device).dispatch({
    label: op,
    code: whereWgsl(wgslType(op, c.t.dtype), wgslType(op, a.t.dtype)),
    params: new Params()
      .u32(out.size, shape.length, c.offset, a.offset, b.offset, 0, 0, 0)
      .vec4u(shape, 2)
      .vec4u(c.strides, 2)
      .vec4u(a.strides, 2)
      .vec4u(b.strides, 2)
      .finish(),
    buffers: [c.t.storage, a.t.storage, b.t.storage, out.storage],
    workgroups: grid1d(out.size),
  });
}
