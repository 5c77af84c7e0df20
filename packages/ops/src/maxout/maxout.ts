import { Params, SaddleError, Tensor, fmtShape, shapesEqual, type Device } from '@saddle/tensor';
import { asGpu, asWasm, expectRank, grid1d, sameDevice } from '../shared/launch.js';
import { maxoutBackwardCpu, maxoutCpu, type View2d } from './maxout.cpu.js';
import { maxoutBackwardWgsl, maxoutWgsl } from './maxout.wgsl.js';

function checkPieces(op: string, pieces: number): void {
  if (!Number.isInteger(pieces) || pieces < 1) {
    throw new SaddleError(op, `pieces is ${pieces}; expected a positive integer`);
  }
}

function checkFloat(op: string, name: string, t: Tensor): void {
  if (t.dtype !== 'f32' && t.dtype !== 'f64') {
    throw new SaddleError(op, `${name} has dtype ${t.dtype}; expected f32 (or f64 on the CPU)`);
  }
}

export function view2d(t: Tensor): View2d {
  return { data: t.storage.data!, offset: t.offset, rowStride: t.strides[0]!, colStride: t.strides[1]! };
}

/** Checks a maxout input x [B, units * pieces] (alive, float, rank 2, columns divisible by pieces). */
export function checkMaxoutInput(op: string, x: Tensor, pieces: number): { device: Device; rows: number; units: number } {
  const device = sameDevice(op, x);
  checkPieces(op, pieces);
  expectRank(op, 'x', x, 2);
  checkFloat(op, 'x', x);
  const [rows, cols] = x.shape as [number, number];
  if (cols % pieces !== 0) {
    throw new SaddleError(op, `x has shape ${fmtShape(x.shape)}: ${cols} columns do not split into units of ${pieces} pieces; expected a column count divisible by ${pieces}`);
  }
  return { device, rows, units: cols / pieces };
}

/**
 * Maxout (Goodfellow et al. 2013): x is [B, units * pieces]; unit u's pieces are the adjacent
 * columns u*pieces .. u*pieces+pieces-1. Returns the max over each unit's pieces, [B, units], and
 * the winning piece (0..pieces-1, the first on ties, the first NaN if any) as an i32 [B, units]
 * tensor for the backward pass.
 */
export function maxout(x: Tensor, pieces: number): { out: Tensor; argmax: Tensor } {
  const op = 'maxout';
  const { device, rows, units } = checkMaxoutInput(op, x, pieces);
  const out = Tensor.empty([rows, units], x.dtype, device);
  const argmax = Tensor.empty([rows, units], 'i32', device);
  const n = rows * units;
  if (device.kind === 'cpu') {
    maxoutCpu(view2d(x), rows, units, pieces, out.storage.data!, argmax.storage.data!);
    return { out, argmax };
  }
  if (n === 0) return { out, argmax };
  if (device.kind === 'wasm') {
    const w = asWasm(device);
    const [rs, cs] = x.strides as [number, number];
    w.run('maxoutForward', [rows, units, pieces, w.address(x.storage, x.offset), rs, cs, w.address(out.storage), w.address(argmax.storage)], n * (pieces + 2));
    return { out, argmax };
  }
  asGpu(device, op).dispatch({
    label: op,
    code: maxoutWgsl(),
    params: new Params().u32(n, units, pieces, x.offset, x.strides[0]!, x.strides[1]!, 0, 0).finish(),
    buffers: [x.storage, out.storage, argmax.storage],
    workgroups: grid1d(n),
  });
  return { out, argmax };
}

/**
 * The gradient of maxout: dy [B, units] goes to the piece `argmax` chose, zeros elsewhere, giving
 * dx [B, units * pieces]. `argmax` is the i32 [B, units] tensor maxout returned. With `mask` (the
 * mask `maxoutDropout` returned, [B, units], dy's dtype), the gradient of maxoutDropout: dy * mask
 * goes to the argmax, in the same one kernel. With `x` (maxout's input, [B, units * pieces]), pieces
 * tied with the winner share the gradient evenly, as `max`'s gradient does (autograd passes it);
 * without, the first maximum takes it all.
 */
export function maxoutBackward(dy: Tensor, argmax: Tensor, pieces: number, mask?: Tensor, x?: Tensor): Tensor {
  const op = 'maxoutBackward';
  const device = sameDevice(op, ...[dy, argmax, mask, x].filter((t): t is Tensor => t !== undefined));
  checkPieces(op, pieces);
  expectRank(op, 'dy', dy, 2);
  checkFloat(op, 'dy', dy);
  if (argmax.dtype !== 'i32') throw new SaddleError(op, `argmax has dtype ${argmax.dtype}; expected i32 (as maxout returns it)`);
  if (!shapesEqual(dy.shape, argmax.shape)) {
    throw new SaddleError(op, `dy has shape ${fmtShape(dy.shape)} but argmax has shape ${fmtShape(argmax.shape)}; expected equal shapes [B, units]`);
  }
  if (mask) {
    if (mask.dtype !== dy.dtype) throw new SaddleError(op, `mask has dtype ${mask.dtype} but dy has ${dy.dtype}; expected the same dtype`);
    if (!shapesEqual(mask.shape, dy.shape)) {
      throw new SaddleError(op, `dy has shape ${fmtShape(dy.shape)} but mask has shape ${fmtShape(mask.shape)}; expected equal shapes [B, units]`);
    }
  }
  const [rows, units] = dy.shape as [number, number];
  if (x) {
    if (x.dtype !== dy.dtype) throw new SaddleError(op, `x has dtype ${x.dtype} but dy has ${dy.dtype}; expected the same dtype`);
    if (!shapesEqual(x.shape, [rows, units * pieces])) {
      throw new SaddleError(op, `x has shape ${fmtShape(x.shape)}; expected [${rows}, ${units * pieces}] (dy's rows, units * pieces)`);
    }
  }
  const dx = Tensor.empty([rows, units * pieces], dy.dtype, device);
  if (device.kind === 'cpu') {
    maxoutBackwardCpu(view2d(dy), view2d(argmax), rows, units, pieces, dx.storage.data!, mask ? view2d(mask) : undefined, x ? view2d(x) : undefined);
    return dx;
  }
  const n = dx.size;
  if (n === 0) return dx;
  if (device.kind === 'wasm') {
    const w = asWasm(device);
    const m: [number, number, number] = mask ? [w.address(mask.storage, mask.offset), mask.strides[0]!, mask.strides[1]!] : [0, 0, 0];
    const args = [rows, units, pieces, w.address(dy.storage, dy.offset), dy.strides[0]!, dy.strides[1]!, w.address(argmax.storage, argmax.offset), argmax.strides[0]!, argmax.strides[1]!, ...m] as const;
    if (x) w.run('maxoutBackwardTies', [...args, w.address(x.storage, x.offset), x.strides[0]!, x.strides[1]!, w.address(dx.storage)], 2 * n + 3 * rows * units);
    else w.run('maxoutBackward', [...args, w.address(dx.storage)], n + 3 * rows * units);
    return dx;
  }
  asGpu(device, op).dispatch({
    label: op,
    code: maxoutBackwardWgsl(!!mask, !!x),
    params: new Params()
      .u32(n, units, pieces, dy.offset, dy.strides[0]!, dy.strides[1]!, argmax.offset, argmax.strides[0]!)
      .u32(argmax.strides[1]!, mask?.offset ?? 0, mask?.strides[0] ?? 0, mask?.strides[1] ?? 0)
      .u32(x?.offset ?? 0, x?.strides[0] ?? 0, x?.strides[1] ?? 0, 0)
      .finish(),
    buffers: [dy.storage, argmax.storage, ...(mask ? [mask.storage] : []), ...(x ? [x.storage] : []), dx.storage],
    workgroups: grid1d(n),
  });
  return dx;
}
