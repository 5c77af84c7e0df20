import { SaddleError, Tensor } from '@saddle/tensor';
import { sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { dense } from '../elementwise/elementwise.js';
import { parametricOnCpu } from './parametric.cpu.js';
import { parametricOnWasm } from './parametric.wasm.js';
import { parametricOnWebgpu } from './parametric.webgpu.js';
import type { ParametricOpName } from './parametric.wgsl.js';

/** A parametric op on each device: dense `xd` with parameters `a`, `b`, into `out`. */
const PARAMETRIC: DeviceTable<(name: ParametricOpName, xd: Tensor, a: number, b: number, out: Tensor) => void> = {
  cpu: parametricOnCpu,
  wasm: parametricOnWasm,
  webgpu: parametricOnWebgpu,
};

function parametric(name: ParametricOpName, x: Tensor, a: number, b: number): Tensor {
  sameDevice(name, x);
  if (x.dtype !== 'f32' && x.dtype !== 'f64') throw new SaddleError(name, `x has dtype ${x.dtype}; expected f32 (or f64 on the CPU)`);
  const out = Tensor.empty(x.shape, x.dtype, x.device);
  if (out.size === 0) return out;
  const xd = dense(x);
  try {
    PARAMETRIC[x.device.kind](name, xd, a, b, out);
    return out;
  } finally {
    if (xd !== x) xd.dispose();
  }
}

/** Each element of x limited to [lo, hi] (lo <= hi, both finite or infinite). */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new SaddleError('clamp', `lo ${lo} and hi ${hi}: expected lo <= hi`);
  return parametric('clamp', x, lo, hi);
}

/** x where x > 0, alpha * x elsewhere (default alpha 0.01). */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  if (!Number.isFinite(alpha)) throw new SaddleError('leakyRelu', `alpha is ${alpha}; expected a finite number`);
  return parametric('leakyRelu', x, alpha, 0);
}
