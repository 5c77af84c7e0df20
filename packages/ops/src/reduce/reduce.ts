import {
  Params,
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
  type WebGpuDevice,
} from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice, wasmType, wgslType } from '../shared/launch.js';
import { MAX_RANK, mergeDimsOf } from '../shared/strided.js';
import { contiguous } from '../elementwise/elementwise.js';
import { reduceCpu, type ReduceCpuKind } from './reduce.cpu.js';
import { REDUCE_CHUNK, REDUCE_LANE_WORK, REDUCE_WORKGROUP, reduceWgsl, type ReduceVariant } from './reduce.wgsl.js';

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
  if (where === 'cpu') {
    const out = Tensor.empty(outShape, outDType, x.device);
    reduceCpu(kind, x.storage.data!, x.shape, x.strides, x.offset, axes, out.storage.data!);
    return out;
  }
  if (m === 0) return Tensor.empty(outShape, outDType, x.device);
  if (n === 0) return full(outShape, kind === 'mean' ? NaN : 0, { dtype: outDType, device: x.device });
  if (where === 'wasm') return reduceWasm(op, kind, x, axes, outShape, n);
  return reduceGpu(op, kind, wgslType(op, x.dtype), x, axes, outShape, n);
}

interface Dims {
  shape: number[];
  strides: number[];
}

/**
 * Drops size-1 dims and merges neighbours that are one run in memory (stride[i] = stride[i+1] *
 * shape[i+1]), so a reduction over the contiguous last axes becomes one dim of stride 1.
 */
export function mergeDims(shape: readonly number[], strides: readonly number[]): Dims {
  const merged = mergeDimsOf(shape, [strides]);
  return { shape: merged.shape, strides: merged.strides[0]! };
}

/** Merged dims with rank >= 1 (a wasm kernel walks a scalar as one element of stride 1). */
function atLeast1(d: Dims): Dims {
  return d.shape.length > 0 ? d : { shape: [1], strides: [1] };
}

/**
 * The wasm reductions (kernels-wasm/assembly/reduce): each pass reduces pieces of every row into
 * a [m, chunks] array of partials, and the next pass reduces those, until one piece per row is
 * left. max and argmax carry (value, index) pairs through the passes.
 */
function reduceWasm(op: string, kind: ReduceCpuKind, x: Tensor, axes: number[], outShape: number[], n: number): Tensor {
  const device = asWasm(x.device);
  const type = wasmType(op, x.dtype);
  const red = new Set(axes);
  const keptIdx = x.shape.map((_, i) => i).filter((i) => !red.has(i));
  let kept = atLeast1(mergeDims(keptIdx.map((i) => x.shape[i]!), keptIdx.map((i) => x.strides[i]!)));
  let reduced = atLeast1(mergeDims(axes.map((i) => x.shape[i]!), axes.map((i) => x.strides[i]!)));
  const m = sizeOf(outShape);
  const out = Tensor.empty(outShape, kind === 'argmax' ? 'i32' : x.dtype, device);
  const isSum = kind === 'sum' || kind === 'mean';
  const temps: Tensor[] = [];
  let src = device.address(x.storage, x.offset);
  let srcIdx = 0;
  let len = n;
  try {
    for (;;) {
      const contiguous = reduced.shape.length === 1 && reduced.strides[0] === 1;
      const chunkLen = device.constant(contiguous ? 'CONTIGUOUS_PIECE' : 'STRIDED_PIECE');
      const chunks = Math.ceil(len / chunkLen);
      const last = chunks === 1;
      const dims = device.ints([...kept.shape, ...kept.strides, ...reduced.shape, ...reduced.strides]);
      const ranks = [kept.shape.length, reduced.shape.length, dims] as const;
      let partV = out;
      let partI: Tensor | null = kind === 'argmax' ? out : null;
      if (!last) {
        temps.push((partV = Tensor.empty([m * chunks], x.dtype, device)));
        if (!isSum) temps.push((partI = Tensor.empty([m * chunks], 'i32', device)));
      }
      if (isSum) {
        const scale = last && kind === 'mean' ? 1 / n : 1;
        device.run(`reduceSum${type}`, [m, len, chunkLen, chunks, src, device.address(partV.storage), scale, ...ranks], m * len);
      } else {
        const outV = last && kind === 'argmax' ? 0 : device.address(partV.storage);
        const outI = partI ? device.address(partI.storage) : 0;
        device.run(`reduceMax${type}`, [m, len, chunkLen, chunks, src, srcIdx, outV, outI, ...ranks], m * len);
      }
      if (last) return out;
      src = device.address(partV.storage);
      srcIdx = partI ? device.address(partI.storage) : 0;
      kept = { shape: [m], strides: [chunks] };
      reduced = { shape: [chunks], strides: [1] };
      len = chunks;
    }
  } finally {
    for (const t of temps) t.dispose();
  }
}

interface Pass {
  rows: number;
  chunks: number;
  chunkLen: number;
  n: number;
  kept: Dims;
  red: Dims;
  offset: number;
  scale: number;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Records one reduction pass: picks the lanes per row and the thread layout, and whether the tree
 * ends in subgroup operations (where the device has a fixed subgroup size and a row's lanes are at
 * least one whole subgroup of adjacent invocations), generates the kernel, packs the params.
 */
function launch(device: WebGpuDevice, label: string, variant: ReduceVariant, buffers: Tensor[], g: Pass): void {
  const threads = Math.min(REDUCE_WORKGROUP, nextPow2(Math.ceil(g.chunkLen / REDUCE_LANE_WORK)));
  const rowsPerGroup = REDUCE_WORKGROUP / threads;
  const redInner = g.red.strides[g.red.strides.length - 1] ?? 1;
  const keptInner = g.kept.strides[g.kept.strides.length - 1];
  // Adjacent threads should read adjacent addresses: lanes of one row when the reduced dim is the
  // contiguous one, neighbouring rows when the kept dim is.
  const lanesAdjacent = redInner !== 1 && keptInner === 1 && rowsPerGroup > 1 ? 0 : 1;
  const sg = device.subgroupSize;
  const subgroups = sg !== null && lanesAdjacent === 1 && threads >= sg;
  device.dispatch({
    label,
    code: reduceWgsl({ ...variant, subgroups }),
    params: new Params()
      .u32(g.rows, g.chunks, g.chunkLen, g.n, threads, rowsPerGroup, lanesAdjacent, g.kept.shape.length)
      .u32(g.red.shape.length, g.offset)
      .f32(g.scale)
      .u32(subgroups ? sg : 0)
      .vec4u(g.kept.shape, 2)
      .vec4u(g.kept.strides, 2)
      .vec4u(g.red.shape, 2)
      .vec4u(g.red.strides, 2)
      .finish(),
    buffers: buffers.map((t) => t.storage),
    workgroups: grid1d(Math.ceil(g.rows / rowsPerGroup), 1),
  });
}

function reduceGpu(op: string, kind: ReduceCpuKind, type: 'f32' | 'i32' | 'u32', x: Tensor, axes: number[], outShape: number[], n: number): Tensor {
  const device = asGpu(x.device, op);
  const red = new Set(axes);
  const keptIdx = x.shape.map((_, i) => i).filter((i) => !red.has(i));
  const kept = mergeDims(
    keptIdx.map((i) => x.shape[i]!),
    keptIdx.map((i) => x.strides[i]!),
  );
  const redDims = mergeDims(
    axes.map((i) => x.shape[i]!),
    axes.map((i) => x.strides[i]!),
  );
  const m = sizeOf(outShape);
  const out = Tensor.empty(outShape, kind === 'argmax' ? 'i32' : x.dtype, device);
  const kernel: ReduceVariant['kind'] = kind === 'mean' ? 'sum' : kind;
  const finalScale = kind === 'mean' ? 1 / n : 1;

  if (n <= REDUCE_CHUNK) {
    launch(device, op, { kind: kernel, type }, [x, out], {
      rows: m, chunks: 1, chunkLen: n, n, kept, red: redDims, offset: x.offset, scale: finalScale,
    });
    return out;
  }

  // Long reductions: pass 1 reduces chunks of REDUCE_CHUNK elements into partials [m, chunks];
  // pass 2 reduces each row of partials (which is short) into the output.
  const chunks = Math.ceil(n / REDUCE_CHUNK);
  const partV = Tensor.empty([m * chunks], x.dtype, device);
  const partI = kind === 'argmax' ? Tensor.empty([m * chunks], 'i32', device) : null;
  try {
    const pass1Out = kind === 'argmax' ? [partV, partI!] : [partV];
    launch(device, `${op} (pass 1)`, { kind: kernel, type, valuesOut: kind === 'argmax' }, [x, ...pass1Out], {
      rows: m * chunks, chunks, chunkLen: REDUCE_CHUNK, n, kept, red: redDims, offset: x.offset, scale: 1,
    });
    const pass2In = kind === 'argmax' ? [partV, partI!] : [partV];
    launch(device, `${op} (pass 2)`, { kind: kernel, type, indicesIn: kind === 'argmax' }, [...pass2In, out], {
      rows: m,
      chunks: 1,
      chunkLen: chunks,
      n: chunks,
      kept: mergeDims([m], [chunks]),
      red: mergeDims([chunks], [1]),
      offset: 0,
      scale: finalScale,
    });
  } finally {
    partV.dispose();
    partI?.dispose();
  }
  return out;
}
