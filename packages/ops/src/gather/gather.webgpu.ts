import { Params, SaddleError, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d, wgslType } from '../shared/launch.js';
import type { GatherLayout, GatherOpName } from './gather.cpu.js';
import { gatherWgsl, scatterAddWgsl } from './gather.wgsl.js';

/** Dispatches gather.wgsl.ts (gatherWgsl or scatterAddWgsl); an index out of range is reported through a check slot. */
export function gatherOnWebgpu(op: GatherOpName, x: Tensor, idx: Tensor, out: Tensor, layout: GatherLayout): void {
  const code = op === 'gather' ? gatherWgsl(wgslType(op, x.dtype)) : scatterAddWgsl();
  if (out.size === 0) return;
  const gpu = asGpu(x.device);
  // The kernel flags an index out of range; the next read or sync throws this (see gather.wgsl.ts).
  const check = gpu.checkSlot(
    (r) =>
      new SaddleError(
        op,
        `index ${r} is out of range; expected an integer in [0, ${layout.len}) (reported at the first read or sync after the ${op}: a WebGPU kernel cannot throw)`,
      ),
  );
  gpu.dispatch({
    label: op,
    code,
    params: new Params().u32(out.size, layout.len, layout.m, layout.inner, idx.offset, check.slot).finish(),
    buffers: [x.storage, idx.storage, out.storage, check.buffer],
    workgroups: grid1d(out.size),
  });
}
