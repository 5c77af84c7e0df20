import { SaddleError, type Tensor } from '@saddle/tensor';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { checkUpdate } from './check.js';
import { emaOnCpu } from './ema.cpu.js';
import { emaOnWasm } from './ema.wasm.js';
import { emaOnWebgpu } from './ema.webgpu.js';

/** One moving-average step in place on non-empty, checked tensors (source dense), on each device. */
const EMA: DeviceTable<(target: Tensor, s: Tensor, decay: number, oneMinusDecay: number) => void> = {
  cpu: emaOnCpu,
  wasm: emaOnWasm,
  webgpu: emaOnWebgpu,
};

const OP = 'emaUpdate';

/**
 * One step of an exponential moving average, in place on every device (one fused kernel: WGSL,
 * wasm SIMD, and the CPU twin `emaCpu`):
 *
 *   target = decay · target + (1 − decay) · source
 *
 * `target` must be dense (it is written); `source` may be a view. Both share shape, device and
 * dtype (f32, or f64 on the CPU); `decay` is in [0, 1). On wasm it is bit for bit the CPU twin.
 */
export function emaUpdate(target: Tensor, source: Tensor, decay: number): void {
  if (typeof decay !== 'number' || !(decay >= 0 && decay < 1)) throw new SaddleError(OP, `decay is ${String(decay)}; expected a number in [0, 1)`);
  checkUpdate(OP, target, source, {}, '', ['target', 'source']);
  if (target.size === 0) return;
  const oneMinusDecay = 1 - decay;
  const s = dense(source);
  try {
    EMA[target.device.kind](target, s, decay, oneMinusDecay);
  } finally {
    if (s !== source) s.dispose();
  }
}
