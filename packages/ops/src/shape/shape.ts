import { SaddleError, Tensor, contiguousStrides, fmtShape, normalizeAxes, resolveReshape, sizeOf, type Shape } from '@saddle/tensor';
import { sameDevice, sameDType } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { MAX_RANK } from '../shared/strided.js';
import { contiguous } from '../elementwise/elementwise.js';
import { copyStridedOnCpu } from './shape.cpu.js';
import { copyStridedOnWasm } from './shape.wasm.js';
import { copyStridedOnWebgpu } from './shape.webgpu.js';

/**
 * The strides that let a tensor of (shape, strides) be read as `newShape` without moving data, or
 * null when a copy is needed. The dims are cut into chunks that are contiguous among themselves;
 * a view may split or merge dims only inside one chunk. (The algorithm of PyTorch's `view`.)
 */
export function viewStrides(shape: Shape, strides: readonly number[], newShape: Shape): number[] | null {
  const size = sizeOf(shape);
  if (size === 0 || shape.length === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[shape.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    // A chunk ends at dim 0, or where dim d-1 does not continue the chunk's row-major layout.
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

/**
 * `x` with a new shape of the same size (one dim may be -1: inferred). A view when the layout
 * allows it (always when x is contiguous), otherwise a dense copy viewed with the new shape.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const op = 'reshape';
  x.assertAlive(op);
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (shape.filter((d) => d === -1).length === 1 && (known === 0 || x.size % known !== 0)) {
    throw new SaddleError(op, `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}; no size for the -1 fits`);
  }
  const to = resolveReshape(op, x.shape, shape);
  const strides = viewStrides(x.shape, x.strides, to);
  if (strides) return x.view(to, strides, x.offset);
  const copy = contiguous(x);
  const out = copy.view(to, contiguousStrides(to), 0);
  copy.dispose();
  return out;
}

/** A view with the axes permuted: out.shape[i] = x.shape[perm[i]]. The default reverses the axes. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const op = 'transpose';
  x.assertAlive(op);
  const rank = x.rank;
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const bad = () =>
    new SaddleError(op, `perm [${p.join(', ')}] is not a permutation of the ${rank} axes of ${fmtShape(x.shape)}; expected each of 0..${rank - 1} once`);
  if (p.length !== rank) throw bad();
  const norm = p.map((a) => (Number.isInteger(a) && a < 0 ? a + rank : a));
  if (norm.some((a) => !Number.isInteger(a) || a < 0 || a >= rank) || new Set(norm).size !== rank) throw bad();
  return x.view(
    norm.map((a) => x.shape[a]!),
    norm.map((a) => x.strides[a]!),
    x.offset,
  );
}

/**
 * A view of the block that starts at `begin` and spans `size` along each axis, taking every
 * `steps[i]`-th element of it (default 1). As in PyTorch and tfjs: a negative begin counts from the
 * end (-1 is the last element), size -1 runs to the end. `x.slice([1], [6], [2])` is PyTorch's
 * `x[1:7:2]` (elements 1, 3, 5: ceil(size / step) of them). Steps must be positive, as PyTorch
 * requires (tfjs's reversing negative strides are not supported). No data moves: the view's offset
 * points at the block's first element and its strides are x's times the steps.
 */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[], steps?: readonly number[]): Tensor {
  const op = 'slice';
  x.assertAlive(op);
  if (begin.length !== x.rank || size.length !== x.rank || (steps && steps.length !== x.rank)) {
    throw new SaddleError(
      op,
      `begin [${begin.join(', ')}]${steps ? ',' : ' and'} size [${size.join(', ')}]${steps ? ` and steps [${steps.join(', ')}]` : ''} for ${fmtShape(x.shape)}; expected ${x.rank} entries each`,
    );
  }
  let offset = x.offset;
  const strides: number[] = [];
  const shape = x.shape.map((d, i) => {
    const b0 = begin[i]!;
    const s0 = size[i]!;
    const step = steps?.[i] ?? 1;
    if (!Number.isInteger(b0) || b0 < -d || b0 > d) {
      throw new SaddleError(
        op,
        `begin[${i}] = ${b0} is out of range for ${fmtShape(x.shape)}; expected ${-d} <= begin[${i}] <= ${d} (negative counts from the end)`,
      );
    }
    if (!Number.isInteger(step) || step < 1) {
      throw new SaddleError(op, `steps[${i}] = ${step} for ${fmtShape(x.shape)}; expected a positive integer (as PyTorch; a negative step is not supported)`);
    }
    const b = b0 < 0 ? b0 + d : b0;
    const s = s0 === -1 ? d - b : s0;
    if (!Number.isInteger(s) || s < 0 || b + s > d) {
      throw new SaddleError(op, `size[${i}] = ${s0} from begin ${b0} runs past dim ${i} of ${fmtShape(x.shape)}; expected -1 or 0 <= size[${i}] <= ${d - b}`);
    }
    const n = Math.ceil(s / step);
    if (n > 0) offset += b * x.strides[i]!;
    strides.push(x.strides[i]! * step);
    return n;
  });
  return x.view(shape, strides, sizeOf(shape) === 0 ? x.offset : offset);
}

/**
 * `x` broadcast to `shape` (NumPy rules, aligned on the right): a view with stride 0 on the
 * stretched and the new leading dims. No data moves; the view must not be written.
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const op = 'broadcastTo';
  x.assertAlive(op);
  const lead = shape.length - x.rank;
  const fail = () =>
    new SaddleError(
      op,
      `cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}; expected each dim of x (aligned on the right) to equal the target's or be 1`,
    );
  if (lead < 0 || shape.some((d) => !Number.isInteger(d) || d < 0)) throw fail();
  const strides = shape.map((d, i) => {
    if (i < lead) return 0;
    const xd = x.shape[i - lead]!;
    if (xd === d) return x.strides[i - lead]!;
    if (xd === 1) return 0;
    throw fail();
  });
  return x.view(shape, strides, x.offset);
}

/** A view with a new dim of size 1 at `axis` (-(rank+1) <= axis <= rank; negative counts from the end). */
export function expandDims(x: Tensor, axis: number): Tensor {
  const op = 'expandDims';
  x.assertAlive(op);
  const r = x.rank;
  if (!Number.isInteger(axis) || axis < -(r + 1) || axis > r) {
    throw new SaddleError(op, `axis ${axis} is out of range for ${fmtShape(x.shape)}; expected ${-(r + 1)} <= axis <= ${r}`);
  }
  const a = axis < 0 ? axis + r + 1 : axis;
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(a, 0, 1);
  strides.splice(a, 0, a < r ? x.strides[a]! * x.shape[a]! : 1);
  return x.view(shape, strides, x.offset);
}

/** A view without the given dims of size 1 (all of them when `axes` is omitted). */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const op = 'squeeze';
  x.assertAlive(op);
  const drop = new Set(axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(op, axes, x.rank));
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new SaddleError(op, `axis ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}; expected 1`);
  }
  const keepDims = x.shape.map((_, i) => i).filter((i) => !drop.has(i));
  return x.view(
    keepDims.map((i) => x.shape[i]!),
    keepDims.map((i) => x.strides[i]!),
    x.offset,
  );
}

/** The strided copy on each device: `src`'s elements into those `dst` addresses through (dstStrides, dstOffset). */
const COPY_STRIDED: DeviceTable<(label: string, src: Tensor, dstStorage: Tensor['storage'], dstStrides: readonly number[], dstOffset: number) => void> = {
  cpu: copyStridedOnCpu,
  wasm: copyStridedOnWasm,
  webgpu: copyStridedOnWebgpu,
};

/** Records (or runs on the CPU) the strided copy of `src` into the elements `dst` addresses. */
function copyStrided(label: string, src: Tensor, dstStorage: Tensor['storage'], dstStrides: readonly number[], dstOffset: number): void {
  const n = src.size;
  if (n === 0) return;
  COPY_STRIDED[src.device.kind](label, src, dstStorage, dstStrides, dstOffset);
}

function checkRank(op: string, t: Tensor, name: string): void {
  if (t.rank > MAX_RANK) throw new SaddleError(op, `${name} has rank ${t.rank} ${fmtShape(t.shape)}; expected at most ${MAX_RANK}`);
}

/**
 * Joins tensors along `axis` (negative counts from the end) into a new dense tensor. They share
 * rank, dtype and device, and their shapes agree except on `axis`. Inputs may be views.
 */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const op = 'concat';
  if (xs.length === 0) throw new SaddleError(op, 'no tensors given; expected at least one');
  const device = sameDevice(op, ...xs);
  const first = xs[0]!;
  const rank = first.rank;
  if (rank === 0) throw new SaddleError(op, 'the inputs are scalars (shape []); expected rank >= 1 (use expandDims first)');
  const a = normalizeAxes(op, axis, rank)[0]!;
  const shapes = xs.map((t) => fmtShape(t.shape)).join(', ');
  for (const t of xs) {
    sameDType(op, first, t);
    checkRank(op, t, 'an input');
    if (t.rank !== rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new SaddleError(op, `shapes ${shapes} do not match; expected equal ranks and equal sizes except on axis ${a}`);
    }
  }
  const outShape = [...first.shape];
  outShape[a] = xs.reduce((s, t) => s + t.shape[a]!, 0);
  const out = Tensor.empty(outShape, first.dtype, device);
  const outStrides = contiguousStrides(outShape);
  let start = 0;
  for (const t of xs) {
    copyStrided(op, t, out.storage, outStrides, start * outStrides[a]!);
    start += t.shape[a]!;
  }
  return out;
}

/**
 * Writes `src` into the elements of `dst` (typically a slice view of a larger tensor: the slot it
 * fills), in place. Same shape, dtype and device; they must not share storage, and `dst` must not
 * be a broadcast view (two elements at one address).
 */
export function copyInto(dst: Tensor, src: Tensor): void {
  const op = 'copyInto';
  sameDevice(op, dst, src);
  sameDType(op, dst, src);
  if (dst.rank !== src.rank || dst.shape.some((d, i) => d !== src.shape[i])) {
    throw new SaddleError(op, `dst has shape ${fmtShape(dst.shape)} and src ${fmtShape(src.shape)}; expected equal shapes`);
  }
  checkRank(op, dst, 'dst');
  if (dst.shape.some((d, i) => d > 1 && dst.strides[i] === 0)) {
    throw new SaddleError(op, `dst ${fmtShape(dst.shape)} is a broadcast view (stride 0); expected every element at its own address`);
  }
  if (dst.storage === src.storage) throw new SaddleError(op, 'dst and src share storage; expected separate tensors (copy src first)');
  copyStrided(op, src, dst.storage, dst.strides, dst.offset);
}
