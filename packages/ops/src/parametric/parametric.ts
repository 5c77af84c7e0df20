import { Params, SaddleError, Tensor } from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice } from '../shared/launch.js';
import { dense } from '../elementwise/elementwise.js';
import { parametricCpu } from './parametric.cpu.js';
import { parametricWgsl, type ParametricOpName } from './parametric.wgsl.js';

/** The op codes of the wasm kernel (kernels-wasm/assembly/parametric/parametric.ts holds the same). */
const WASM_PARAMETRIC_CODES: Record<ParametricOpName, number> = { clamp: 0, leakyRelu: 1 };

function parametric(name: ParametricOpName, x: Tensor, a: number, b: number): Tensor {
  sameDevice(name, x);
  if (x.dtype !== 'f32' && x.dtype !== 'f64') throw new SaddleError(name, `x has dtype ${x.dtype}; expected f32 (or f64 on the CPU)`);
  const out = Tensor.empty(x.shape, x.dtype, x.device);
  if (out.size === 0) return out;
  const xd = dense(x);
  try {
    if (x.device.kind === 'cpu') parametricCpu(name, xd.storage.data!, a, b, out.storage.data!);
    else if (x.device.kind === 'wasm') {
      const w = asWasm(x.device);
      w.run('parametricF32', [WASM_PARAMETRIC_CODES[name], out.size, w.address(xd.storage, xd.offset), w.address(out.storage), a, b], out.size);
    } else {
      asGpu(x.device).dispatch({
        label: name,
        code: parametricWgsl(name),
        params: new Params().u32(out.size).f32(a, b).finish(),
        buffers: [xd.storage, out.storage],
        workgroups: grid1d(out.size),
      });
    }
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
