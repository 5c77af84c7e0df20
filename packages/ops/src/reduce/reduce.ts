import {
  SaddleError,
  Tensor,
  checkShape,
  contiguousStrides,
  fmtShape,
  full,
  normalizeAxes,
  sizeOf,
  type DeviceKind,
  type DType,
  type Shape,
} from '@saddle/tensor';
import { sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { MAX_RANK } from '../shared/strided.js';
import { contiguous } from '../elementwise/elementwise.js';
import { reduceOnCpu, type ReduceCpuKind } from './reduce.cpu.js';
import { reduceOnWasm } from './reduce.wasm.js';
import { reduceOnWebgpu } from './reduce.webgpu.js';

/** A checked reduction of x over `axes` (n > 0 elements per output, some outputs) into a new tensor of `outShape`, on each device. */
const REDUCE: DeviceTable<(op: string, kind: ReduceCpuKind, x: Tensor, axes: number[], outShape: number[], n: number) => Tensor> = {
  cpu: reduceOnCpu,
  wasm: reduceOnWasm,
  webgpu: reduceOnWebgpu,
};

/** One axis, a list of axes (negative counts from the end), or undefined for all of them. */
export type Axes = number | readonly number[];

/** Sum over `axes` (all when omitted). An empty reduction gives 0. */
export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduceOp('sum', 'sum', x, axes, keepDims);
}

/** Mean over `axes` (all when omitted); f32/f64 only. An empty reduction gives NaN, like NumPy. */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduceOp('mean', 'mean', x, axes, keepDims);
}

/** Maximum over `axes` (all when omitted). NaN propagates. An empty reduction is an error. */
export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return reduceOp('max', 'max', x, axes, keepDims);
}

/**
 * Index (i32) of the maximum along `axis`: the first one on ties; the first NaN if there is one.
 * An empty axis is an error.
 */
export function argmax(x: Tensor, axis: number, keepDims = false): Tensor {
  if (typeof axis !== 'number') {
    throw new SaddleError('argmax', `axis ${String(axis)} is not a number; expected one axis`);
  }
  return reduceOp('argmax', 'argmax', x, axis, keepDims);
}

/**
 * The maximum along `axis` and where it is, as PyTorch's `x.max(dim)`: `values` (x's dtype) and
 * `indices` (i32, argmax's: the first maximum on ties, the first NaN if there is one, so `values`
 * is always the element `indices` names).
 */
export function maxWithIndices(x: Tensor, axis: number, keepDims = false): { values: Tensor; indices: Tensor } {
  const indices = argmax(x, axis, keepDims);
  return { values: max(x, axis, keepDims), indices };
}

/**
 * Sums `x` down to `shape`, which must broadcast to `x.shape` (the gradient of broadcasting):
 * leading dims `x` has beyond `shape`, and dims where `shape` has 1 and `x` does not, are summed
 * away. Returns a dense copy (of `shape`) when nothing is summed.
 */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  const op = 'sumTo';
  const device = sameDevice(op, x);
  checkShape(op, shape);
  const rank = Math.max(x.rank, shape.length);
  const axes: number[] = [];
  for (let i = 0; i < rank; i++) {
    const xi = i - (rank - x.rank);
    const ti = i - (rank - shape.length);
    const d = xi >= 0 ? x.shape[xi]! : 1;
    const t = ti >= 0 ? shape[ti]! : 1;
    if (d === t) continue;
    if (t !== 1 || xi < 0) {
      throw new SaddleError(
        op,
        `cannot sum ${fmtShape(x.shape)} down to ${fmtShape(shape)} (dim ${i} of the aligned shapes: ${d} vs ${t}); expected each target dim to equal the input's or be 1`,
      );
    }
    axes.push(xi);
  }
  if (axes.length === 0) {
    const c = contiguous(x);
    if (c.rank === shape.length) return c;
    const v = c.view(shape, contiguousStrides(shape), 0);
    c.dispose();
    return v;
  }
  checkRank(op, x);
  return reduceInto(op, 'sum', x, axes, [...shape], device.kind);
}

function checkRank(op: string, x: Tensor): void {
  if (x.rank > MAX_RANK) throw new SaddleError(op, `rank ${x.rank} of ${fmtShape(x.shape)} exceeds the maximum of ${MAX_RANK}`);
}

function reduceOp(op: string, kind: ReduceCpuKind, x: Tensor, axes: Axes | undefined, keepDims: boolean): Tensor {
  const device = sameDevice(op, x);
  checkRank(op, x);
  const list = normalizeAxes(op, axes, x.rank);
  const red = new Set(list);
  const outShape = keepDims ? x.shape.map((d, i) => (red.has(i) ? 1 : d)) : x.shape.filter((_, i) => !red.has(i));
  return reduceInto(op, kind, x, list, outShape, device.kind);
}

function reduceInto(op: string, kind: ReduceCpuKind, x: Tensor, axes: number[], outShape: number[], where: DeviceKind): Tensor {
  if (kind === 'mean' && x.dtype !== 'f32' && x.dtype !== 'f64') {
    throw new SaddleError(op, `dtype ${x.dtype} is not supported; expected f32 or f64`);
  }
  const n = sizeOf(axes.map((a) => x.shape[a]!));
  const m = sizeOf(outShape);
  if ((kind === 'max' || kind === 'argmax') && n === 0 && m > 0) {
    throw new SaddleError(
      op,
      `the reduced axes [${axes.join(', ')}] of ${fmtShape(x.shape)} hold no elements; expected at least one (${op} of an empty set is undefined)`,
    );
  }
  const outDType: DType = kind === 'argmax' ? 'i32' : x.dtype;
  // No output, or nothing to reduce: the same tensor on every device (the CPU twin's loops give
  // exactly these: no element, or 0 for a sum and 0 / 0 = NaN for a mean); no kernel runs.
  if (m === 0) return Tensor.empty(outShape, outDType, x.device);
  if (n === 0) return full(outShape, kind === 'mean' ? NaN : 0, { dtype: outDType, device: x.device });
  return REDUCE[where](op, kind, x, axes, outShape, n);
}
