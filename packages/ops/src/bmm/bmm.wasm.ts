import { sizeOf } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import type { BmmProblem } from './bmm.cpu.js';

/** Launches the wasm kernel (kernels-wasm assembly/bmm/): the batch dims and strides passed as an i32 array. */
export function bmmOnWasm({ a, b, ra, rb, batchShape, m, k: ka, n, out }: BmmProblem): void {
  const batches = sizeOf(batchShape);
  const w = asWasm(out.device);
  const dims = w.ints([batchShape.length, ...batchShape, ...ra.batchStrides, ...rb.batchStrides]);
  const args = [
    m,
    ka,
    n,
    batches,
    w.address(a.storage, ra.offset),
    ra.row,
    ra.col,
    w.address(b.storage, rb.offset),
    rb.row,
    rb.col,
    w.address(out.storage),
    dims,
  ] as const;
  w.run('bmmF32', args, batches * m * n * Math.max(ka, 1));
}
