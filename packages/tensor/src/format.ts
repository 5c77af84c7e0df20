import type { DType } from './dtype.js';
import { fmtShape } from './errors.js';
import { sizeOf, type Shape } from './shape.js';

/** How `Tensor.format`, `print` and `util.inspect` lay out values (PyTorch's print options). */
export interface FormatOptions {
  /** Above this many elements, each long dimension shows only its first and last `edgeItems` (default 1000). */
  threshold?: number;
  /** Entries kept at each end of a summarized dimension (default 3). */
  edgeItems?: number;
  /** Digits after the point for floats that are not all integers (default 4). */
  precision?: number;
}

/** Where the values came from, for the line's suffix. */
export interface FormatContext {
  shape: Shape;
  dtype: DType;
  device: string;
}

const PREFIX = 'tensor(';

/**
 * Lays out the row-major `values` of a tensor the way PyTorch prints one: nested brackets aligned
 * under each other, every entry padded to one width, and, above `threshold` elements, `...` in
 * place of the middle of each dimension longer than `2 * edgeItems`. Floats print as `1.` when all
 * shown values are integers, else with `precision` decimals, or in scientific notation when their
 * magnitudes span more than 1000x (or reach 1e8, or go below 1e-4). The suffix names the shape,
 * dtype and device: `tensor([[1., 2.], [3., 4.]], shape=[2, 2], dtype=f32, device=cpu)`.
 */
export function formatValues(values: ArrayLike<number>, ctx: FormatContext, options: FormatOptions = {}): string {
  const { shape, dtype, device } = ctx;
  const threshold = options.threshold ?? 1000;
  const edge = options.edgeItems ?? 3;
  const summarize = sizeOf(shape) > threshold;
  const rank = shape.length;
  const inner = shape.map((_, d) => sizeOf(shape.slice(d + 1)));
  /** The indices of dimension `dim` that are shown, -1 standing for `...`. */
  const shownIndices = (dim: number): number[] => {
    const n = shape[dim]!;
    if (!summarize || n <= 2 * edge) return Array.from({ length: n }, (_, i) => i);
    return [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)];
  };
  const shown: number[] = [];
  const collect = (dim: number, start: number): void => {
    if (dim === rank) shown.push(values[start]!);
    else for (const i of shownIndices(dim)) if (i >= 0) collect(dim + 1, start + i * inner[dim]!);
  };
  collect(0, 0);
  const cell = cellFormatter(shown, dtype, options.precision ?? 4);
  const width = shown.reduce((w, v) => Math.max(w, cell(v).length), 0);
  const render = (dim: number, start: number, column: number): string => {
    if (dim === rank) return cell(values[start]!).padStart(width);
    const parts = shownIndices(dim).map((i) => (i < 0 ? '...' : render(dim + 1, start + i * inner[dim]!, column + 1)));
    const separator = dim === rank - 1 ? ', ' : ',' + '\n'.repeat(rank - dim - 1) + ' '.repeat(column + 1);
    return `[${parts.join(separator)}]`;
  };
  const body = sizeOf(shape) === 0 ? '[]' : render(0, 0, PREFIX.length);
  return `${PREFIX}${body}, shape=${fmtShape(shape)}, dtype=${dtype}, device=${device})`;
}

/** One entry's text: integers as they are; floats in one notation chosen for all shown values. */
function cellFormatter(shown: readonly number[], dtype: DType, precision: number): (v: number) => string {
  if (dtype === 'i32' || dtype === 'u32') return (v) => String(v);
  const finite = shown.filter((v) => Number.isFinite(v));
  const magnitudes = finite.map(Math.abs).filter((a) => a > 0);
  const max = magnitudes.reduce((m, a) => Math.max(m, a), 0);
  const min = magnitudes.reduce((m, a) => Math.min(m, a), Infinity);
  const integers = finite.every((v) => Number.isInteger(v)) && max < 1e8;
  const scientific = !integers && max > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1000);
  return (v) => {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (integers) return `${v.toFixed(0)}.`;
    return scientific ? v.toExponential(precision) : v.toFixed(precision);
  };
}
