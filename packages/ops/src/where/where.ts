import { Params, SaddleError, Tensor, broadcastShapes, fromArray } from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice, sameDType, wasmType, wgslType } from '../shared/launch.js';
import { MAX_RANK, readAs, wasmDims } from '../shared/strided.js';
import { whereCpu } from './where.cpu.js';
import { whereWgsl } from './where.wgsl.js';

/**
 * `a` where `cond` is nonzero, `b` elsewhere, broadcasting all three (NumPy's `where`). `cond` may
 * have any dtype (a comparison's 0/1 floats, or integers); `a` and `b` share a dtype, and either
 * may be a number (it takes the other operand's dtype).
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const op = 'where';
  if (typeof a === 'number' && typeof b === 'number') throw new SaddleError(op, 'a and b are both numbers; expected at least one tensor (it gives the dtype)');
  const like = (typeof a === 'number' ? b : a) as Tensor;
  const ta = typeof a === 'number' ? fromArray([a], [], { dtype: like.dtype, device: like.device }) : a;
  const tb = typeof b === 'number' ? fromArray([b], [], { dtype: like.dtype, device: like.device }) : b;
  try {
    const device = sameDevice(op, cond, ta, tb);
    sameDType(op, ta, tb);
    const shape = broadcastShapes(op, broadcastShapes(op, cond.shape, ta.shape), tb.shape);
    if (shape.length > MAX_RANK) throw new SaddleError(op, `rank ${shape.length} exceeds the maximum of ${MAX_RANK}`);
    const out = Tensor.empty(shape, ta.dtype, device);
    const [rc, ra, rb] = [readAs(cond, shape), readAs(ta, shape), readAs(tb, shape)];
    if (device.kind === 'cpu') {
      whereCpu({ data: cond.storage.data!, ...rc }, { data: ta.storage.data!, ...ra }, { data: tb.storage.data!, ...rb }, shape, out.storage.data!);
      return out;
    }
    if (out.size === 0) return out;
    if (device.kind === 'wasm') {
      const w = asWasm(device);
      wasmType(op, ta.dtype); // a 4-byte dtype (the select moves bits, whatever they mean)
      const condFloat = wasmType(op, cond.dtype) === 'F32' ? 1 : 0;
      const { rank, dims } = wasmDims(shape, [rc.strides, ra.strides, rb.strides]);
      const args = [condFloat, out.size, w.address(cond.storage, rc.offset), w.address(ta.storage, ra.offset), w.address(tb.storage, rb.offset), w.address(out.storage), rank, w.ints(dims)] as const;
      w.run('whereSelect', args, out.size);
      return out;
    }
    asGpu(device).dispatch({
      label: op,
      code: whereWgsl(wgslType(op, cond.dtype), wgslType(op, ta.dtype)),
      params: new Params()
        .u32(out.size, shape.length, rc.offset, ra.offset, rb.offset, 0, 0, 0)
        .vec4u(shape, 2)
        .vec4u(rc.strides, 2)
        .vec4u(ra.strides, 2)
        .vec4u(rb.strides, 2)
        .finish(),
      buffers: [cond.storage, ta.storage, tb.storage, out.storage],
      workgroups: grid1d(out.size),
    });
    return out;
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}
