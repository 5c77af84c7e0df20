import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import type { AdamConstants } from './adam.cpu.js';

/** The kernels' constant arguments, in their order (assembly/optim/adam.ts). */
const constants = (k: AdamConstants) => [k.beta1, k.beta2, k.oneMinusBeta1, k.oneMinusBeta2, k.eps, k.l2, k.decay, k.stepSize, k.sqrtBc2] as const;

/** Launches the wasm Adam kernel (kernels-wasm assembly/optim/adam.ts) in place, grad dense. */
export function adamOnWasm(param: Tensor, g: Tensor, m: Tensor, v: Tensor, k: AdamConstants): void {
  const w = asWasm(param.device);
  const addr = [w.address(param.storage), w.address(g.storage), w.address(m.storage), w.address(v.storage)] as const;
  w.run('adam', [param.size, ...addr, ...constants(k)], 14 * param.size);
}
