import { Params, shapesEqual, type Shape, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d, wgslType } from '../shared/launch.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOpName, type UnaryOpName } from './ops-table.js';
import type { StridedView } from './elementwise.cpu.js';
import { binaryWgsl, exprFor, unaryWgsl } from './elementwise.wgsl.js';

/** Dispatches the unary kernel of elementwise.wgsl.ts (its dense variant when `x` is dense). */
export function unaryOnWebgpu(name: UnaryOpName, x: Tensor, out: Tensor): void {
  const op = UNARY_OPS[name];
  const type = wgslType(name, x.dtype);
  const dense = x.isDense;
  asGpu(x.device, name).dispatch({
    label: name,
    code: unaryWgsl(exprFor(op, type), type, dense),
    params: new Params().u32(out.size, x.rank, x.offset, 0).vec4u(x.shape, 2).vec4u(x.strides, 2).finish(),
    buffers: [x.storage, out.storage],
    workgroups: grid1d(out.size),
  });
}

/** Dispatches the binary kernel of elementwise.wgsl.ts (its dense variant when both operands are dense and unbroadcast). */
export function binaryOnWebgpu(name: BinaryOpName, ta: Tensor, ra: StridedView, tb: Tensor, rb: StridedView, shape: Shape, out: Tensor): void {
  const op = BINARY_OPS[name];
  const type = wgslType(name, ta.dtype);
  const dense = ta.isDense && tb.isDense && shapesEqual(ta.shape, shape) && shapesEqual(tb.shape, shape);
  asGpu(ta.device, name).dispatch({
    label: name,
    code: binaryWgsl(exprFor(op, type), type, dense),
    params: new Params().u32(out.size, shape.length, ra.offset, rb.offset).vec4u(shape, 2).vec4u(ra.strides, 2).vec4u(rb.strides, 2).finish(),
    buffers: [ta.storage, tb.storage, out.storage],
    workgroups: grid1d(out.size),
  });
}
