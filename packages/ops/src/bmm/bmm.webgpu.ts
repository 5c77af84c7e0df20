import { Params, SaddleError, sizeOf } from '@saddle/tensor';
import { asGpu } from '../shared/launch.js';
import type { BmmProblem } from './bmm.cpu.js';
import { BMM_TILE, bmmWgsl } from './bmm.wgsl.js';

/** Dispatches bmm.wgsl.ts: a 16 x 16 output tile per workgroup, one batch per workgroup layer (at most 65535). */
export function bmmOnWebgpu({ a, b, ra, rb, batchShape, m, k: ka, n, out }: BmmProblem): void {
  const op = 'bmm';
  const batches = sizeOf(batchShape);
  if (batches > 65535) throw new SaddleError(op, `${batches} batches; expected at most 65535 (one workgroup row per batch)`);
  asGpu(out.device).dispatch({
    label: op,
    code: bmmWgsl(),
    params: new Params()
      .u32(m, ka, n, batchShape.length, ra.offset, ra.row, ra.col, rb.offset, rb.row, rb.col, 0, 0)
      .vec4u(batchShape, 1)
      .vec4u(ra.batchStrides, 1)
      .vec4u(rb.batchStrides, 1)
      .finish(),
    buffers: [a.storage, b.storage, out.storage],
    workgroups: [Math.ceil(n / BMM_TILE), Math.ceil(m / BMM_TILE), batches],
  });
}
