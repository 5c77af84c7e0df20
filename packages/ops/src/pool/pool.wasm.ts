import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import type { PoolGeometry } from './pool.cpu.js';

/** The integers the wasm kernels read (assembly/pool/pool.ts's GEOMETRY order). */
const wasmGeometry = (g: PoolGeometry, countIncludePad: boolean) => [
  g.planes,
  g.h,
  g.w,
  g.oh,
  g.ow,
  g.kH,
  g.kW,
  g.sH,
  g.sW,
  g.pH,
  g.pW,
  g.dH,
  g.dW,
  countIncludePad ? 1 : 0,
];

/** Launches the wasm max-pooling kernel (kernels-wasm assembly/pool/) on dense x. */
export function maxPool2dOnWasm(xd: Tensor, g: PoolGeometry, values: Tensor, indices: Tensor): void {
  const n = values.size;
  const w = asWasm(xd.device);
  w.run(
    'maxPool2dF32',
    [w.ints(wasmGeometry(g, false)), w.address(xd.storage, xd.offset), w.address(values.storage), w.address(indices.storage)],
    n * g.kH * g.kW,
  );
}

/** Launches the wasm average-pooling kernel on dense x. */
export function avgPool2dOnWasm(xd: Tensor, g: PoolGeometry, countIncludePad: boolean, out: Tensor): void {
  const n = out.size;
  const w = asWasm(xd.device);
  w.run('avgPool2dF32', [w.ints(wasmGeometry(g, countIncludePad)), w.address(xd.storage, xd.offset), w.address(out.storage)], n * g.kH * g.kW);
}

/** Launches the wasm max-pooling gradient kernel on dense dy and indices. */
export function maxPool2dBackwardOnWasm(dyd: Tensor, id: Tensor, g: PoolGeometry, dx: Tensor): void {
  const n = dx.size;
  const w = asWasm(dyd.device);
  w.run(
    'maxPool2dBackwardF32',
    [w.ints(wasmGeometry(g, false)), w.address(dyd.storage, dyd.offset), w.address(id.storage, id.offset), w.address(dx.storage)],
    n * g.kH * g.kW,
  );
}

/** Launches the wasm average-pooling gradient kernel on dense dy. */
export function avgPool2dBackwardOnWasm(dyd: Tensor, g: PoolGeometry, countIncludePad: boolean, dx: Tensor): void {
  const n = dx.size;
  const w = asWasm(dyd.device);
  w.run('avgPool2dBackwardF32', [w.ints(wasmGeometry(g, countIncludePad)), w.address(dyd.storage, dyd.offset), w.address(dx.storage)], n * g.kH * g.kW);
}
