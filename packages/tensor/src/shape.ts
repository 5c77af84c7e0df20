import { SaddleError, fmtShape } from './errors.js';

/** The sizes of a tensor's dimensions. */
export type Shape = readonly number[];

/** The number of elements of `shape` (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Whether `strides` are the row-major strides of `shape` (size-1 dimensions ignored). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

/** Whether two shapes are equal. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws a SaddleError naming `op` unless every size is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new SaddleError(op, `invalid shape ${fmtShape(shape)}; expected non-negative integers`);
    }
  }
}

/** NumPy broadcasting: align on the right; each pair of dims must be equal or one of them 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new SaddleError(
        op,
        `shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (dim ${i} of the result: ${da} vs ${db}); expected equal sizes or 1`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read a dense tensor of `shape` as if it had `outShape` (broadcast): dims of size 1
 * that are stretched, and missing leading dims, get stride 0.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = contiguousStrides(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const lead = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[lead + i] = shape[i] === 1 && outShape[lead + i] !== 1 ? 0 : strides[i]!;
  }
  return out;
}

/** Normalizes axes (negative counts from the end; undefined means all), sorted, unique. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new SaddleError(op, `axis ${a} is out of range for a tensor of rank ${rank}; expected -${rank} <= axis < ${rank}`);
    }
    out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((x, y) => x - y);
}

/** Resolves one -1 in a reshape target. */
export function resolveReshape(op: string, from: Shape, to: readonly number[]): number[] {
  const size = sizeOf(from);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1) throw new SaddleError(op, `at most one -1 allowed in ${fmtShape(to)}`);
  checkShape(
    op,
    to.map((d) => (d === -1 ? 0 : d)),
  );
  const known = to.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = to.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (sizeOf(out) !== size || out.some((d) => !Number.isInteger(d))) {
    throw new SaddleError(op, `cannot reshape ${fmtShape(from)} (${size} elements) to ${fmtShape(to)}`);
  }
  return out;
}
