import { SaddleError, Tensor, fmtShape, sizeOf } from '@saddle/tensor';
import { sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { gatherOnCpu, type GatherLayout, type GatherOpName } from './gather.cpu.js';
import { gatherOnWasm } from './gather.wasm.js';
import { gatherOnWebgpu } from './gather.webgpu.js';

function checkIndices(op: string, indices: Tensor): void {
  if (indices.dtype !== 'i32' || indices.rank !== 1) {
    throw new SaddleError(op, `indices are ${fmtShape(indices.shape)} ${indices.dtype}; expected a 1-D i32 tensor`);
  }
}

function normalizeAxis(op: string, axis: number, rank: number, shape: readonly number[]): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new SaddleError(op, `axis ${axis} is out of range for shape ${fmtShape(shape)}; expected an integer in [${-rank}, ${rank - 1}]`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** gather or scatterAdd on each device: dense `x`, contiguous i32 `idx`, into `out`. */
const GATHER: DeviceTable<(op: GatherOpName, x: Tensor, idx: Tensor, out: Tensor, layout: GatherLayout) => void> = {
  cpu: gatherOnCpu,
  wasm: gatherOnWasm,
  webgpu: gatherOnWebgpu,
};

function run(op: GatherOpName, input: Tensor, indices: Tensor, out: Tensor, layout: GatherLayout): void {
  const x = dense(input);
  const idx = indices.isContiguous ? indices : dense(indices);
  try {
    GATHER[input.device.kind](op, x, idx, out, layout);
  } finally {
    if (x !== input) x.dispose();
    if (idx !== indices) idx.dispose();
  }
}

/**
 * Rows of `x` by index along `axis` (default 0): the result has x's shape with that axis replaced
 * by the number of indices (i32, 1-D; repeats allowed). `gather(images, perm)` shuffles a dataset.
 * An index out of range throws a SaddleError: at once on the CPU and on wasm; on WebGPU, whose kernel
 * cannot throw, at the first read or sync after it (meanwhile its rows are NaN, 0 for integer dtypes).
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const op = 'gather';
  sameDevice(op, x, indices);
  checkIndices(op, indices);
  if (x.rank === 0) throw new SaddleError(op, 'x is a scalar; expected at least one axis to index');
  const a = normalizeAxis(op, axis, x.rank, x.shape);
  const m = indices.shape[0]!;
  const layout = { outer: sizeOf(x.shape.slice(0, a)), len: x.shape[a]!, inner: sizeOf(x.shape.slice(a + 1)), m };
  const out = Tensor.empty(
    x.shape.map((d, i) => (i === a ? m : d)),
    x.dtype,
    x.device,
  );
  run(op, x, indices, out, layout);
  return out;
}

/**
 * The gradient of gather: `src` (gather's output shape) summed into `size` rows along `axis` at
 * `indices` (rows an index hits twice get both), zeros elsewhere. Float tensors only.
 */
export function scatterAdd(src: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  const op = 'scatterAdd';
  sameDevice(op, src, indices);
  checkIndices(op, indices);
  if (src.dtype !== 'f32' && src.dtype !== 'f64') throw new SaddleError(op, `src has dtype ${src.dtype}; expected f32 (or f64 on the CPU)`);
  if (src.rank === 0) throw new SaddleError(op, 'src is a scalar; expected at least one axis');
  const a = normalizeAxis(op, axis, src.rank, src.shape);
  const m = indices.shape[0]!;
  if (src.shape[a] !== m) throw new SaddleError(op, `src has shape ${fmtShape(src.shape)} but there are ${m} indices; expected ${m} along axis ${a}`);
  if (!Number.isInteger(size) || size < 0) throw new SaddleError(op, `size is ${size}; expected a non-negative integer`);
  const layout = { outer: sizeOf(src.shape.slice(0, a)), len: size, inner: sizeOf(src.shape.slice(a + 1)), m };
  const out = Tensor.empty(
    src.shape.map((d, i) => (i === a ? size : d)),
    src.dtype,
    src.device,
  );
  run(op, src, indices, out, layout);
  return out;
}
