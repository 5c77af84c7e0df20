import { SaddleError, Tensor, fmtShape, shapesEqual, type Device } from '@saddle/tensor';
import { expectRank, sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { maxoutBackwardOnCpu, maxoutOnCpu } from './maxout.cpu.js';
import { maxoutBackwardOnWasm, maxoutOnWasm } from './maxout.wasm.js';
import { maxoutBackwardOnWebgpu, maxoutOnWebgpu } from './maxout.webgpu.js';

/** Maxout of x [rows, units * pieces] into out and argmax [rows, units], non-empty, on each device. */
const MAXOUT: DeviceTable<(x: Tensor, rows: number, units: number, pieces: number, out: Tensor, argmax: Tensor) => void> = {
  cpu: maxoutOnCpu,
  wasm: maxoutOnWasm,
  webgpu: maxoutOnWebgpu,
};

/** Maxout's gradient dy [rows, units] into dx [rows, units * pieces] (times mask, ties shared by x), on each device. */
const MAXOUT_BACKWARD: DeviceTable<(dy: Tensor, argmax: Tensor, rows: number, units: number, pieces: number, dx: Tensor, mask?: Tensor, x?: Tensor) => void> = {
  cpu: maxoutBackwardOnCpu,
  wasm: maxoutBackwardOnWasm,
  webgpu: maxoutBackwardOnWebgpu,
};

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

/** Checks a maxout input x [B, units * pieces] (alive, float, rank 2, columns divisible by pieces). */
export function checkMaxoutInput(op: string, x: Tensor, pieces: number): { device: Device; rows: number; units: number } {
  const device = sameDevice(op, x);
  checkPieces(op, pieces);
  expectRank(op, 'x', x, 2);
  checkFloat(op, 'x', x);
  const [rows, cols] = x.shape as [number, number];
  if (cols % pieces !== 0) {
    throw new SaddleError(
      op,
      `x has shape ${fmtShape(x.shape)}: ${cols} columns do not split into units of ${pieces} pieces; expected a column count divisible by ${pieces}`,
    );
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
  // Empty: nothing to write on any device (the CPU twin wrote nothing either).
  if (n === 0) return { out, argmax };
  MAXOUT[device.kind](x, rows, units, pieces, out, argmax);
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
  const n = dx.size;
  // Empty: nothing to write on any device (the CPU twin wrote nothing either).
  if (n === 0) return dx;
  MAXOUT_BACKWARD[device.kind](dy, argmax, rows, units, pieces, dx, mask, x);
  return dx;
}
