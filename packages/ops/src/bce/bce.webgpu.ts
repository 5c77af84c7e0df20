import { Params, Tensor, full, type WebGpuDevice } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import { BCE_CHUNK, bceFinishWgsl, bceGradWgsl, bceLossWgsl } from './bce.wgsl.js';

/** Params shared by the loss and gradient kernels; the dense flag says whether strides are needed. */
function params(logits: Tensor, targets: Tensor | number, chunkLen: number, scale: number, scaleOffset: number): Uint8Array {
  const t = typeof targets === 'number' ? null : targets;
  return new Params()
    .u32(logits.size, chunkLen, logits.rank, logits.offset, t?.offset ?? 0)
    .f32(typeof targets === 'number' ? targets : 0, scale)
    .u32(scaleOffset)
    .vec4u(logits.shape, 2)
    .vec4u(logits.strides, 2)
    .vec4u(t?.strides ?? [], 2)
    .finish();
}

function isDense(logits: Tensor, targets: Tensor | number): boolean {
  return logits.isDense && (typeof targets === 'number' || targets.isDense);
}

function finish(gpu: WebGpuDevice, partial: Tensor, out: Tensor, n: number): void {
  gpu.dispatch({
    label: 'sigmoidBce (pass 2)',
    code: bceFinishWgsl(),
    params: new Params()
      .u32(partial.size, 0, 0, 0, 0)
      .f32(0, 1 / n)
      .u32(0)
      .vec4u([], 2)
      .vec4u([], 2)
      .vec4u([], 2)
      .finish(),
    buffers: [partial.storage, out.storage],
    workgroups: [1],
  });
}

/** Dispatches bce.wgsl.ts's loss kernel (one pass, or partial sums then a finishing pass); a shape-[] f32 tensor, NaN when empty. */
export function sigmoidBceOnWebgpu(op: string, logits: Tensor, targets: Tensor | number): Tensor {
  const device = logits.device;
  const n = logits.size;
  if (n === 0) return full([], NaN, { dtype: 'f32', device });
  const gpu = asGpu(device, op);
  const variant = { targetTensor: typeof targets !== 'number', dense: isDense(logits, targets) };
  const inputs = typeof targets === 'number' ? [logits.storage] : [logits.storage, targets.storage];
  const out = Tensor.empty([], 'f32', device);
  const chunks = Math.ceil(n / BCE_CHUNK);
  if (chunks === 1) {
    gpu.dispatch({
      label: op,
      code: bceLossWgsl(variant),
      params: params(logits, targets, BCE_CHUNK, 1 / n, 0),
      buffers: [...inputs, out.storage],
      workgroups: [1],
    });
    return out;
  }
  const partial = Tensor.empty([chunks], 'f32', device);
  try {
    gpu.dispatch({
      label: `${op} (pass 1)`,
      code: bceLossWgsl(variant),
      params: params(logits, targets, BCE_CHUNK, 1, 0),
      buffers: [...inputs, partial.storage],
      workgroups: grid1d(chunks, 1),
    });
    finish(gpu, partial, out, n);
  } finally {
    partial.dispose();
  }
  return out;
}

/** Dispatches bce.wgsl.ts's gradient kernel into `out`; a tensor `scale` is read on the GPU (no readback). */
export function sigmoidBceGradOnWebgpu(op: string, logits: Tensor, targets: Tensor | number, scale: number | Tensor, out: Tensor): void {
  const n = logits.size;
  const variant = { targetTensor: typeof targets !== 'number', dense: isDense(logits, targets), scaleTensor: typeof scale !== 'number' };
  const buffers = [logits.storage];
  if (typeof targets !== 'number') buffers.push(targets.storage);
  if (typeof scale !== 'number') buffers.push(scale.storage);
  buffers.push(out.storage);
  asGpu(logits.device, op).dispatch({
    label: op,
    code: bceGradWgsl(variant),
    params: params(logits, targets, 0, typeof scale === 'number' ? scale / n : 1 / n, typeof scale === 'number' ? 0 : scale.offset),
    buffers,
    workgroups: grid1d(n),
  });
}
