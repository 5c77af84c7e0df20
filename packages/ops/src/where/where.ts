import { SaddleError, Tensor, broadcastShapes, fromArray, type Shape } from '@saddle/tensor';
import { sameDevice, sameDType } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { MAX_RANK, readAs } from '../shared/strided.js';
import { whereOnCpu, type TensorRead } from './where.cpu.js';
import { whereOnWasm } from './where.wasm.js';
import { whereOnWebgpu } from './where.webgpu.js';

/** The select on each device: `c`, `a`, `b` read as `shape` (stride 0 on broadcast dims), into `out`. */
const WHERE: DeviceTable<(c: TensorRead, a: TensorRead, b: TensorRead, shape: Shape, out: Tensor) => void> = {
  cpu: whereOnCpu,
  wasm: whereOnWasm,
  webgpu: whereOnWebgpu,
};

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
    if (out.size === 0) return out;
    WHERE[device.kind]({ t: cond, ...rc }, { t: ta, ...ra }, { t: tb, ...rb }, shape, out);
    return out;
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}
