import { Params, SaddleError, type Tensor } from '@saddle/tensor';
import { asGpu, asWasm, grid1d } from '../shared/launch.js';
import { dense } from '../elementwise/elementwise.js';
import { checkUpdate } from './check.js';
import { emaCpu } from './ema.cpu.js';
import { emaWgsl } from './ema.wgsl.js';

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
    if (target.device.kind === 'cpu') {
      emaCpu(target.storage.data!, s.storage.data!, decay, oneMinusDecay);
      return;
    }
    if (target.device.kind === 'wasm') {
      const w = asWasm(target.device);
      w.run('emaUpdate', [target.size, w.address(target.storage), w.address(s.storage), decay, oneMinusDecay], 3 * target.size);
      return;
    }
    asGpu(target.device, OP).dispatch({
      label: OP,
      code: emaWgsl(),
      params: new Params().u32(target.size).f32(decay, oneMinusDecay).finish(),
      buffers: [target.storage, s.storage],
      workgroups: grid1d(target.size),
    });
  } finally {
    if (s !== source) s.dispose();
  }
}
