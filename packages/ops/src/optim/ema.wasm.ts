import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';

/** Launches the wasm moving-average kernel (kernels-wasm assembly/optim/ema.ts) in place, source dense. */
export function emaOnWasm(target: Tensor, s: Tensor, decay: number, oneMinusDecay: number): void {
  const w = asWasm(target.device);
  w.run('emaUpdate', [target.size, w.address(target.storage), w.address(s.storage), decay, oneMinusDecay], 3 * target.size);
}
