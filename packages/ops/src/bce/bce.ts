import { SaddleError, Tensor, fmtShape, shapesEqual } from '@saddle/tensor';
import { sameDevice, sameDType } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { MAX_RANK } from '../shared/strided.js';
import { sigmoidBceGradOnCpu, sigmoidBceOnCpu } from './bce.cpu.js';
import { sigmoidBceGradOnWasm, sigmoidBceOnWasm } from './bce.wasm.js';
import { sigmoidBceGradOnWebgpu, sigmoidBceOnWebgpu } from './bce.webgpu.js';

/** The mean loss of checked logits and targets as a new shape-[] tensor, on each device. */
const BCE_LOSS: DeviceTable<(op: string, logits: Tensor, targets: Tensor | number) => Tensor> = {
  cpu: sigmoidBceOnCpu,
  wasm: sigmoidBceOnWasm,
  webgpu: sigmoidBceOnWebgpu,
};

/** The loss's gradient (times `scale`) of checked, non-empty logits and targets into `out`, on each device. */
const BCE_GRAD: DeviceTable<(op: string, logits: Tensor, targets: Tensor | number, scale: number | Tensor, out: Tensor) => void> = {
  cpu: sigmoidBceGradOnCpu,
  wasm: sigmoidBceGradOnWasm,
  webgpu: sigmoidBceGradOnWebgpu,
};

/** Checks logits and targets: alive, one device, float dtype, targets of the logits' shape. */
function check(op: string, logits: Tensor, targets: Tensor | number): void {
  const tensors = typeof targets === 'number' ? [logits] : [logits, targets];
  sameDevice(op, ...tensors);
  if (logits.dtype !== 'f32' && logits.dtype !== 'f64') {
    throw new SaddleError(op, `logits have dtype ${logits.dtype}; expected f32 (or f64 on the CPU)`);
  }
  if (logits.rank > MAX_RANK) throw new SaddleError(op, `rank ${logits.rank} of ${fmtShape(logits.shape)} exceeds the maximum of ${MAX_RANK}`);
  if (typeof targets !== 'number') {
    sameDType(op, logits, targets);
    if (!shapesEqual(logits.shape, targets.shape)) {
      throw new SaddleError(
        op,
        `logits have shape ${fmtShape(logits.shape)} but targets have shape ${fmtShape(targets.shape)}; expected targets of the logits' shape (or a number)`,
      );
    }
  } else if (Number.isNaN(targets)) {
    throw new SaddleError(op, 'target is NaN; expected a number (usually 0 or 1)');
  }
}

/**
 * The mean over all elements of the binary cross-entropy of sigmoid(logits) against targets,
 * computed from the logits in the stable form max(z, 0) - z t + log(1 + exp(-|z|)), so logits of
 * +-1e4 give finite, exact losses. Returns a shape-[] tensor (NaN when there are no elements).
 * `targets` is a tensor of the logits' shape, or one number for every element (a GAN's 0 or 1).
 */
export function sigmoidBce(logits: Tensor, targets: Tensor | number): Tensor {
  const op = 'sigmoidBce';
  check(op, logits, targets);
  return BCE_LOSS[logits.device.kind](op, logits, targets);
}

/**
 * The gradient of sigmoidBce with respect to the logits, times `scale`:
 * (sigmoid(z) - t) / n * scale, a dense tensor of the logits' shape. `scale` is a number or a
 * one-element tensor on the logits' device (the upstream gradient of the loss), which the kernel
 * reads on the GPU: no readback.
 */
export function sigmoidBceGrad(logits: Tensor, targets: Tensor | number, scale: number | Tensor = 1): Tensor {
  const op = 'sigmoidBceGrad';
  check(op, logits, targets);
  if (typeof scale !== 'number') {
    sameDevice(op, logits, scale);
    if (scale.size !== 1) throw new SaddleError(op, `scale has shape ${fmtShape(scale.shape)}; expected a number or a one-element tensor`);
    if (scale.dtype !== logits.dtype) throw new SaddleError(op, `scale has dtype ${scale.dtype} but logits have ${logits.dtype}; expected the same dtype`);
  }
  const out = Tensor.empty(logits.shape, logits.dtype, logits.device);
  // An empty gradient is just `out` on every device (the CPU twin writes nothing either).
  if (logits.size === 0) return out;
  BCE_GRAD[logits.device.kind](op, logits, targets, scale, out);
  return out;
}
