import { Params, SaddleError, Tensor, type WebGpuDevice } from '@saddle/tensor';
import { grid1d } from '../shared/launch.js';
import { FMA_PROBE_FLOPS_PER_ITER, PROBE_WORKGROUP, probeCopyWgsl, probeFmaWgsl } from './probe.wgsl.js';

/**
 * Records the FMA-chain probe (probe.wgsl.ts) on `workgroups` workgroups of 256 threads, `iters`
 * steps each; returns the flops it does (time it with device.sync()). `out` holds one f32 per
 * thread: at least workgroups · 256.
 */
export function recordFmaProbe(device: WebGpuDevice, out: Tensor, workgroups: number, iters: number): number {
  const threads = workgroups * PROBE_WORKGROUP;
  if (out.size < threads || out.dtype !== 'f32') throw new SaddleError('recordFmaProbe', `out is ${out.dtype} of ${out.size} elements; expected f32 of at least ${threads}`);
  device.dispatch({
    label: 'probe fma',
    code: probeFmaWgsl(),
    params: new Params().u32(iters).f32(0.999999, 1e-7).u32(0).finish(),
    buffers: [out.storage],
    workgroups: grid1d(threads, PROBE_WORKGROUP),
  });
  return threads * iters * FMA_PROBE_FLOPS_PER_ITER;
}

/** Records the copy probe: dst = src, f32 of one size, a multiple of 4; returns the bytes moved (read + written). */
export function recordCopyProbe(device: WebGpuDevice, src: Tensor, dst: Tensor): number {
  if (src.size !== dst.size || src.size % 4 || src.dtype !== 'f32' || dst.dtype !== 'f32') {
    throw new SaddleError('recordCopyProbe', `src is ${src.dtype} of ${src.size}, dst ${dst.dtype} of ${dst.size}; expected f32 of one size, a multiple of 4`);
  }
  const n4 = src.size / 4;
  device.dispatch({
    label: 'probe copy',
    code: probeCopyWgsl(),
    params: new Params().u32(n4, 0, 0, 0).finish(),
    buffers: [src.storage, dst.storage],
    workgroups: grid1d(n4, PROBE_WORKGROUP),
  });
  return 8 * src.size;
}
