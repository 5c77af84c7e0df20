import { SaddleError } from './errors.js';

/** Element types. f64 exists on the CPU only, so gradient checks can difference in double precision. */
export type DType = 'f32' | 'f64' | 'i32' | 'u32';

/** The typed arrays tensors hold: one per dtype. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array;

/** Every dtype. */
export const DTYPES: readonly DType[] = ['f32', 'f64', 'i32', 'u32'];

/** Throws a SaddleError naming `op` unless `dtype` is one of DTYPES (a JS caller can pass anything). */
export function checkDType(op: string, dtype: unknown): asserts dtype is DType {
  if (!DTYPES.includes(dtype as DType)) {
    throw new SaddleError(op, `unknown dtype ${JSON.stringify(dtype) ?? String(dtype)}; expected one of ${DTYPES.join(', ')}`);
  }
}

/** Bytes per element of `dtype`. */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'f64' ? 8 : 4;
}

/** Whether `dtype` is a floating-point type (f32, f64). */
export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f64';
}

/** A zeroed typed array of `size` elements of `dtype`. */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'f32':
      return new Float32Array(size);
    case 'f64':
      return new Float64Array(size);
    case 'i32':
      return new Int32Array(size);
    case 'u32':
      return new Uint32Array(size);
    default:
      return checkNever(dtype);
  }
}

function checkNever(dtype: never): never {
  checkDType('allocArray', dtype);
  throw new SaddleError('allocArray', `unknown dtype ${String(dtype)}`);
}

/** Converts (copying) any array-like of numbers to the typed array of `dtype`. */
export function toTypedArray(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = allocArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

/** The dtype of a typed array. */
export function dtypeOf(array: TypedArray): DType {
  if (array instanceof Float32Array) return 'f32';
  if (array instanceof Float64Array) return 'f64';
  if (array instanceof Int32Array) return 'i32';
  if (array instanceof Uint32Array) return 'u32';
  throw new SaddleError('dtype', 'expected a Float32Array, Float64Array, Int32Array or Uint32Array');
}

/** Throws a SaddleError naming `op` and input `name` unless `got` is one of `allowed`. */
export function assertDType(op: string, name: string, got: DType, allowed: readonly DType[]): void {
  if (!allowed.includes(got)) {
    throw new SaddleError(op, `${name} has dtype ${got}; expected ${allowed.join(' or ')}`);
  }
}

/** The values an integer dtype holds: [min, max]. */
const INTEGER_RANGE: Partial<Record<DType, readonly [number, number]>> = { i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1] };

/**
 * The rule for numbers stored in an integer dtype (i32, u32), the same on every device because it
 * runs on the host before any upload: a finite number is truncated toward zero (1.7 → 1, −1.7 → −1,
 * as PyTorch, tfjs and typed arrays do); NaN, ±Infinity and a number whose truncation is outside
 * the dtype's range (2³² + 1 in i32, −1 in u32) are refused with a SaddleError naming the op, the
 * dtype, the element and the value: they would otherwise wrap or become 0 without a word. Typed
 * arrays whose every value fits (an Int32Array for i32) are not scanned.
 */
export function checkIntegerValues(op: string, values: ArrayLike<number>, dtype: DType): void {
  const range = INTEGER_RANGE[dtype];
  if (!range) return;
  if (
    dtype === 'i32' &&
    (values instanceof Int32Array ||
      values instanceof Int16Array ||
      values instanceof Int8Array ||
      values instanceof Uint16Array ||
      values instanceof Uint8Array)
  )
    return;
  if (
    dtype === 'u32' &&
    (values instanceof Uint32Array || values instanceof Uint16Array || values instanceof Uint8Array || values instanceof Uint8ClampedArray)
  )
    return;
  const [lo, hi] = range;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = Math.trunc(v);
    if (!(t >= lo && t <= hi)) {
      const what = Number.isNaN(v) ? 'NaN' : !Number.isFinite(v) ? String(v) : `${v}, outside [${lo}, ${hi}]`;
      throw new SaddleError(
        op,
        `element ${i} is ${what}; expected a finite number in the range of ${dtype} (an integer tensor cannot hold it: keep it f32, or replace it first)`,
      );
    }
  }
}
