import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import type { ParametricOpName } from './parametric.wgsl.js';

/** The op codes of the wasm kernel (kernels-wasm/assembly/parametric/parametric.ts holds the same). */
const WASM_PARAMETRIC_CODES: Record<ParametricOpName, number> = { clamp: 0, leakyRelu: 1 };

/** Launches the wasm kernel (kernels-wasm assembly/parametric/) with the op's code and parameters. */
export function parametricOnWasm(name: ParametricOpName, xd: Tensor, a: number, b: number, out: Tensor): void {
  const w = asWasm(xd.device);
  w.run('parametricF32', [WASM_PARAMETRIC_CODES[name], out.size, w.address(xd.storage, xd.offset), w.address(out.storage), a, b], out.size);
}
