import { Params, type Device, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { FMA_PROBE_FLOPS_PER_ITER, PROBE_WORKGROUP, probeCopyWgsl, probeFmaWgsl } from './probe.wgsl.js';

/** Dispatches the FMA-chain probe (probe.wgsl.ts): `workgroups` of 256 threads, `iters` steps each; returns the flops. */
export function fmaProbeOnWebgpu(gpu: Device, out: Tensor, workgroups: number, iters: number): number {
  const device = asGpu(gpu, 'recordFmaProbe');
  const threads = workgroups * PROBE_WORKGROUP;
  device.dispatch({
    label: 'probe fma',
    code: probeFmaWgsl(),
    params: new Params().u32(iters).f32(0.999999, 1e-7).u32(0).finish(),
    buffers: [out.storage],
    workgroups: grid1d(threads, PROBE_WORKGROUP),
  });
  return threads * iters * FMA_PROBE_FLOPS_PER_ITER;
}

/** Dispatches the copy probe: one thread per vec4 of src; returns the bytes moved (read + written). */
export function copyProbeOnWebgpu(gpu: Device, src: Tensor, dst: Tensor): number {
  const device = asGpu(gpu, 'recordCopyProbe');
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
