import { SaddleError, Tensor, fmtShape, fromArray } from '@saddle/tensor';
import { expectRank, sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { mean } from '../reduce/reduce.js';
import { crossEntropyGradOnCpu, crossEntropyRowsOnCpu } from './cross-entropy.cpu.js';
import { crossEntropyGradOnWasm, crossEntropyRowsOnWasm } from './cross-entropy.wasm.js';
import { crossEntropyGradOnWebgpu, crossEntropyRowsOnWebgpu } from './cross-entropy.webgpu.js';

/** Each row's loss on each device: dense logits `x` [rows, len], contiguous labels `l`, into `perRow`. */
const CROSS_ENTROPY_ROWS: DeviceTable<(x: Tensor, l: Tensor, rows: number, len: number, perRow: Tensor) => void> = {
  cpu: crossEntropyRowsOnCpu,
  wasm: crossEntropyRowsOnWasm,
  webgpu: crossEntropyRowsOnWebgpu,
};

/** The gradient on each device: (softmax(x) - onehot(l)) / rows * s[0], into `out`. */
const CROSS_ENTROPY_GRAD: DeviceTable<(x: Tensor, l: Tensor, s: Tensor, rows: number, len: number, out: Tensor) => void> = {
  cpu: crossEntropyGradOnCpu,
  wasm: crossEntropyGradOnWasm,
  webgpu: crossEntropyGradOnWebgpu,
};

function checkInputs(op: string, logits: Tensor, labels: Tensor): { rows: number; len: number } {
  sameDevice(op, logits, labels);
  expectRank(op, 'logits', logits, 2);
  if (logits.dtype !== 'f32' && logits.dtype !== 'f64') throw new SaddleError(op, `logits have dtype ${logits.dtype}; expected f32 (or f64 on the CPU)`);
  if (labels.dtype !== 'i32') throw new SaddleError(op, `labels have dtype ${labels.dtype}; expected i32 class indices`);
  const [rows, len] = logits.shape as [number, number];
  if (labels.rank !== 1 || labels.shape[0] !== rows) {
    throw new SaddleError(
      op,
      `logits are ${fmtShape(logits.shape)} but labels are ${fmtShape(labels.shape)}; expected labels of shape [${rows}] (one class per row)`,
    );
  }
  if (len === 0) throw new SaddleError(op, `logits are ${fmtShape(logits.shape)}; expected at least one class`);
  return { rows, len };
}

/**
 * Mean cross-entropy of softmax(logits) against integer labels: logits [N, C], labels i32 [N]
 * (classes 0..C-1); returns a [] tensor, mean over rows of logsumexp(x_n) - x_n[label_n]. Fused
 * and stable (see the kernel's header). A label out of range throws on the CPU and on wasm (checked
 * before the call) and gives NaN on WebGPU.
 */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const op = 'crossEntropy';
  const { rows, len } = checkInputs(op, logits, labels);
  const perRow = Tensor.empty([rows], logits.dtype, logits.device);
  const x = dense(logits);
  const l = labels.isContiguous ? labels : dense(labels);
  try {
    CROSS_ENTROPY_ROWS[logits.device.kind](x, l, rows, len, perRow);
    return mean(perRow);
  } finally {
    perRow.dispose();
    if (x !== logits) x.dispose();
    if (l !== labels) l.dispose();
  }
}

/**
 * The gradient of crossEntropy with respect to the logits, times `scale` (a number, or a
 * one-element tensor, read on the device: backward passes the loss's gradient here, nothing is
 * read back): (softmax(x) - onehot(labels)) / N * scale, a dense [N, C] tensor.
 */
export function crossEntropyGrad(logits: Tensor, labels: Tensor, scale: Tensor | number = 1): Tensor {
  const op = 'crossEntropyGrad';
  const { rows, len } = checkInputs(op, logits, labels);
  if (typeof scale !== 'number') {
    sameDevice(op, logits, scale);
    if (scale.size !== 1 || scale.dtype !== logits.dtype) {
      throw new SaddleError(op, `scale is ${fmtShape(scale.shape)} ${scale.dtype}; expected a number or a one-element ${logits.dtype} tensor`);
    }
  }
  const out = Tensor.empty(logits.shape, logits.dtype, logits.device);
  const x = dense(logits);
  const l = labels.isContiguous ? labels : dense(labels);
  const s = typeof scale === 'number' ? fromArray([scale], [1], { dtype: logits.dtype, device: logits.device }) : scale;
  try {
    CROSS_ENTROPY_GRAD[logits.device.kind](x, l, s, rows, len, out);
    return out;
  } finally {
    if (x !== logits) x.dispose();
    if (l !== labels) l.dispose();
    if (s !== scale) s.dispose();
  }
}
