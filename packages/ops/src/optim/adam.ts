import { SaddleError, type Tensor } from '@saddle/tensor';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { adamOnCpu, type AdamConstants } from './adam.cpu.js';
import { adamOnWasm } from './adam.wasm.js';
import { adamOnWebgpu } from './adam.webgpu.js';
import { checkUpdate } from './check.js';

/** One Adam step in place on non-empty, checked tensors (grad dense), on each device. */
const ADAM: DeviceTable<(param: Tensor, g: Tensor, m: Tensor, v: Tensor, k: AdamConstants) => void> = {
  cpu: adamOnCpu,
  wasm: adamOnWasm,
  webgpu: adamOnWebgpu,
};

/** The hyperparameters of one `adamUpdate` (checked; a SaddleError names a bad one). */
export interface AdamHyperparams {
  /** Learning rate, >= 0. */
  lr: number;
  /** Decay of the first moment (the gradient's running mean), in [0, 1). */
  beta1: number;
  /** Decay of the second moment (the squared gradient's running mean), in [0, 1). */
  beta2: number;
  /** Added to the denominator, >= 0. */
  eps: number;
  /** Weight decay, >= 0; default 0. Adam adds weightDecay·p to the gradient (L2); AdamW (`decoupled`) scales p by 1 − lr·weightDecay. */
  weightDecay?: number;
  /** AdamW's decoupled weight decay (Loshchilov & Hutter, 2019) instead of Adam's L2 penalty; default false. */
  decoupled?: boolean;
  /** Which update this is, counting from 1: the bias corrections 1 − β1ᵗ and 1 − β2ᵗ read it. */
  step: number;
}

const OP = 'adamUpdate';

/** Checks the hyperparameters (a SaddleError naming the bad one) and folds them into the kernels' constants. */
export function adamConstants(op: string, hp: AdamHyperparams): AdamConstants {
  const { lr, beta1, beta2, eps, weightDecay = 0, decoupled = false, step } = hp ?? ({} as AdamHyperparams);
  for (const [name, v] of [
    ['lr', lr],
    ['eps', eps],
    ['weightDecay', weightDecay],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new SaddleError(op, `${name} is ${String(v)}; expected a finite number >= 0`);
  }
  for (const [name, v] of [
    ['beta1', beta1],
    ['beta2', beta2],
  ] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new SaddleError(op, `${name} is ${String(v)}; expected a number in [0, 1)`);
  }
  if (!Number.isInteger(step) || step < 1) throw new SaddleError(op, `step is ${String(step)}; expected a positive integer (the update's number, from 1)`);
  return {
    beta1,
    beta2,
    oneMinusBeta1: 1 - beta1,
    oneMinusBeta2: 1 - beta2,
    eps,
    l2: decoupled ? 0 : weightDecay,
    decay: decoupled ? 1 - lr * weightDecay : 1,
    stepSize: lr / (1 - beta1 ** step),
    sqrtBc2: Math.sqrt(1 - beta2 ** step),
  };
}

/**
 * One step of Adam (Kingma & Ba, 2015) or, with `decoupled`, AdamW, in place on every device (one
 * fused kernel: WGSL, wasm SIMD, and the CPU twin `adamCpu`):
 *
 *   g' = g + weightDecay·p (Adam)          p = p·(1 − lr·weightDecay) (AdamW)
 *   m = β1·m + (1 − β1)·g';  v = β2·v + (1 − β2)·g'²
 *   p = p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)
 *
 * as PyTorch's `torch.optim.Adam` / `AdamW` (amsgrad off). `param`, `m` and `v` must be dense (they
 * are written); `grad` may be a view. All four share shape, device and dtype (f32, or f64 on the CPU).
 */
export function adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, hp: AdamHyperparams): void {
  const k = adamConstants(OP, hp);
  checkUpdate(OP, param, grad, { m, v });
  if (param.size === 0) return;
  const g = dense(grad);
  try {
    ADAM[param.device.kind](param, g, m, v, k);
  } finally {
    if (g !== grad) g.dispose();
  }
}
