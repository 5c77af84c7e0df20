import { SaddleError, fmtShape } from './errors.js';
import { checkDType, checkIntegerValues, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { checkShape, sizeOf, type Shape } from './shape.js';
import type { Device } from './devices/device.js';
import { defaultDevice } from './devices/default.js';
import { Tensor } from './tensor.js';
import { allocating } from './allocate.js';

/** Where a new tensor goes and its dtype (default: `defaultDevice()`, f32). */
export interface CreateOptions {
  dtype?: DType;
  device?: Device;
}

type Nested = number | readonly Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

function flattenNested(data: Nested, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof data !== 'number') throw new SaddleError('tensor', `ragged nested array; expected shape ${fmtShape(shape)}`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new SaddleError('tensor', `ragged nested array at depth ${dim}; expected shape ${fmtShape(shape)}`);
  }
  for (const d of data) flattenNested(d as Nested, shape, dim + 1, out);
}

/**
 * A tensor from data: a nested array (`tensor([[1, 2], [3, 4]])`), or a flat array or typed
 * array with an explicit shape (`fromArray(values, [2, 2])`).
 */
export function tensor(data: Nested | TypedArray, shapeOrOptions?: Shape | CreateOptions, options: CreateOptions = {}): Tensor {
  if (Array.isArray(shapeOrOptions)) return fromArray(data as ArrayLike<number>, shapeOrOptions, options);
  const opts = (shapeOrOptions as CreateOptions | undefined) ?? options;
  if (ArrayBuffer.isView(data)) return fromArray(data, [data.length], opts);
  const shape = inferShape(data);
  const flat: number[] = [];
  flattenNested(data, shape, 0, flat);
  return fromArray(flat, shape, opts);
}

/** A tensor of `shape` holding a copy of `values` (row-major). */
export function fromArray(values: ArrayLike<number>, shape: Shape, options: CreateOptions = {}): Tensor {
  checkShape('fromArray', shape);
  if (sizeOf(shape) !== values.length) {
    throw new SaddleError('fromArray', `${values.length} values do not fill shape ${fmtShape(shape)} (${sizeOf(shape)} elements)`);
  }
  const dtype = options.dtype ?? (ArrayBuffer.isView(values) ? dtypeOf(values as TypedArray) : 'f32');
  checkDType('fromArray', dtype);
  checkIntegerValues('fromArray', values, dtype);
  const device = options.device ?? defaultDevice();
  return new Tensor(
    allocating('fromArray', shape, dtype, device, () => device.upload(values, dtype)),
    shape,
  );
}

/** `full` under the name of the function the user called (errors name it). */
function filled(op: string, shape: Shape, value: number, options: CreateOptions): Tensor {
  checkShape(op, shape);
  if (options.dtype !== undefined) checkDType(op, options.dtype);
  const device = options.device ?? defaultDevice();
  const dtype = options.dtype ?? 'f32';
  checkIntegerValues(op, [value], dtype);
  return new Tensor(
    allocating(op, shape, dtype, device, () => device.fill(dtype, sizeOf(shape), value)),
    shape,
  );
}

/** A tensor of `shape` with every element `value`. */
export function full(shape: Shape, value: number, options: CreateOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

/** A tensor of `shape` filled with 0. */
export function zeros(shape: Shape, options: CreateOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

/** A tensor of `shape` filled with 1. */
export function ones(shape: Shape, options: CreateOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}

/** A tensor of shape [] holding `value`. */
export function scalar(value: number, options: CreateOptions = {}): Tensor {
  return filled('scalar', [], value, options);
}

/** Zeros of the shape, dtype and device of `t`. */
export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape, { dtype: t.dtype, device: t.device });
}

/** Ones of the shape, dtype and device of `t`. */
export function onesLike(t: Tensor): Tensor {
  return ones(t.shape, { dtype: t.dtype, device: t.device });
}
