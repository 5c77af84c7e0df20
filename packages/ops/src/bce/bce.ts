import { Params, SaddleError, Tensor, fmtShape, full, shapesEqual, type WasmDevice, type WebGpuDevice } from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice, sameDType } from '../shared/launch.js';
import { dense } from '../elementwise/elementwise.js';
import { MAX_RANK } from '../shared/strided.js';
import { sigmoidBceCpu, sigmoidBceGradCpu, type StridedView } from './bce.cpu.js';
import { BCE_CHUNK, bceFinishWgsl, bceGradWgsl, bceLossWgsl } from './bce.wgsl.js';

function view(t: Tensor): StridedView {
  return { data: t.storage.data!, strides: t.strides, offset: t.offset };
}

/** Checks logits and targets: alive, one device, float dtype, targets of the logits' shape. */
function check(op: string, logits: Tensor, targets: Tensor | number): void {
  const tensors = typeof targets === 'number' ? [logits] : [logits, targets];
  sameDevice(op, ...tensors);
  if (logits.dtype !== 'f32' && logits.dtype !== 'f64') {
    throw new SaddleError(op, `logits have dtype ${logits.dtype}; expected f32 (or f64 on the CPU)`);
  }
  if (logits.rank > MAX_RANK) throw new SaddleError(op, `rank ${logits.rank} of ${fmtShape(logits.shape)} exceeds the maximum of ${MAX_RANK}`);
  if (typeof targets !== 'number') {
    sameDType(op, logits, targets);
    if (!shapesEqual(logits.shape, targets.shape)) {
      throw new SaddleError(op, `logits have shape ${fmtShape(logits.shape)} but targets have shape ${fmtShape(targets.shape)}; expected targets of the logits' shape (or a number)`);
    }
  } else if (Number.isNaN(targets)) {
    throw new SaddleError(op, 'target is NaN; expected a number (usually 0 or 1)');
  }
}

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

/**
 * The mean over all elements of the binary cross-entropy of sigmoid(logits) against targets,
 * computed from the logits in the stable form max(z, 0) - z t + log(1 + exp(-|z|)), so logits of
 * +-1e4 give finite, exact losses. Returns a shape-[] tensor (NaN when there are no elements).
 * `targets` is a tensor of the logits' shape, or one number for every element (a GAN's 0 or 1).
 */
export function sigmoidBce(logits: Tensor, targets: Tensor | number): Tensor {
  const op = 'sigmoidBce';
  check(op, logits, targets);
  const device = logits.device;
  const n = logits.size;
  if (device.kind === 'cpu') {
    const loss = sigmoidBceCpu(view(logits), typeof targets === 'number' ? targets : view(targets), logits.shape);
    return full([], loss, { dtype: logits.dtype, device });
  }
  if (n === 0) return full([], NaN, { dtype: 'f32', device });
  if (device.kind === 'wasm') return full([], withDense(logits, targets, (z, t) => wasmLoss(asWasm(device), z, t)), { dtype: 'f32', device });
  const gpu = asGpu(device, op);
  const variant = { targetTensor: typeof targets !== 'number', dense: isDense(logits, targets) };
  const inputs = typeof targets === 'number' ? [logits.storage] : [logits.storage, targets.storage];
  const out = Tensor.empty([], 'f32', device);
  const chunks = Math.ceil(n / BCE_CHUNK);
  if (chunks === 1) {
    gpu.dispatch({ label: op, code: bceLossWgsl(variant), params: params(logits, targets, BCE_CHUNK, 1 / n, 0), buffers: [...inputs, out.storage], workgroups: [1] });
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

/** Runs `f` on dense copies of views (the wasm kernels read dense inputs), then frees the copies. */
function withDense<R>(logits: Tensor, targets: Tensor | number, f: (z: Tensor, t: Tensor | number) => R): R {
  const z = dense(logits);
  const t = typeof targets === 'number' ? targets : dense(targets);
  try {
    return f(z, t);
  } finally {
    if (z !== logits) z.dispose();
    if (typeof t !== 'number' && t !== targets) t.dispose();
  }
}

/** The argument pair (address or 0, value) by which the wasm kernels take a tensor or number target. */
function wasmTarget(w: WasmDevice, t: Tensor | number): [number, number] {
  return typeof t === 'number' ? [0, t] : [w.address(t.storage), 0];
}

/**
 * The mean loss on wasm: the kernel writes one partial sum per piece of BCE_PIECE elements (any
 * thread count gives the same pieces), then they are added here in doubles, in order. wasm runs
 * synchronously in this thread's memory, so the partials are read without a copy.
 */
function wasmLoss(w: WasmDevice, z: Tensor, t: Tensor | number): number {
  const n = z.size;
  const pieces = Math.ceil(n / w.constant('BCE_PIECE'));
  const partial = Tensor.empty([pieces], 'f32', w);
  try {
    w.run('bceLossPartials', [n, w.address(z.storage), ...wasmTarget(w, t), w.address(partial.storage)], 8 * n);
    const p = partial.storage.data!;
    let acc = 0;
    for (let i = 0; i < pieces; i++) acc += p[i]!;
    return acc / n;
  } finally {
    partial.dispose();
  }
}

function finish(gpu: WebGpuDevice, partial: Tensor, out: Tensor, n: number): void {
  gpu.dispatch({
    label: 'sigmoidBce (pass 2)',
    code: bceFinishWgsl(),
    params: new Params().u32(partial.size, 0, 0, 0, 0).f32(0, 1 / n).u32(0).vec4u([], 2).vec4u([], 2).vec4u([], 2).finish(),
    buffers: [partial.storage, out.storage],
    workgroups: [1],
  });
}

/**
 * The gradient of sigmoidBce with respect to the logits, times `scale`:
 * (sigmoid(z) - t) / n * scale, a dense tensor of the logits' shape. `scale` is a number or a
 * one-element tensor on the logits' device (the upstream gradient of the loss), which the kernel
 * reads on the GPU: no readback.
 */
export function sigmoidBceGrad(logits: Tensor, targets: Tensor | number, scale: number | Tensor = 1): Tensor {
  const op = 'sigmoidBceGrad';
  check(op, logits, targets);
  if (typeof scale !== 'number') {
    sameDevice(op, logits, scale);
    if (scale.size !== 1) throw new SaddleError(op, `scale has shape ${fmtShape(scale.shape)}; expected a number or a one-element tensor`);
    if (scale.dtype !== logits.dtype) throw new SaddleError(op, `scale has dtype ${scale.dtype} but logits have ${logits.dtype}; expected the same dtype`);
  }
  const device = logits.device;
  const n = logits.size;
  const out = Tensor.empty(logits.shape, logits.dtype, device);
  if (device.kind === 'cpu') {
    const s = typeof scale === 'number' ? scale : scale.storage.data![scale.offset]!;
    sigmoidBceGradCpu(view(logits), typeof targets === 'number' ? targets : view(targets), logits.shape, s, out.storage.data!);
    return out;
  }
  if (n === 0) return out;
  if (device.kind === 'wasm') {
    const w = asWasm(device);
    // The upstream gradient is in this thread's memory: read it, no kernel needs it.
    const s = typeof scale === 'number' ? scale : scale.storage.data![scale.offset]!;
    withDense(logits, targets, (z, t) => w.run('bceGradient', [n, w.address(z.storage), ...wasmTarget(w, t), s / n, w.address(out.storage)], 12 * n));
    return out;
  }
  const variant = { targetTensor: typeof targets !== 'number', dense: isDense(logits, targets), scaleTensor: typeof scale !== 'number' };
  const buffers = [logits.storage];
  if (typeof targets !== 'number') buffers.push(targets.storage);
  if (typeof scale !== 'number') buffers.push(scale.storage);
  buffers.push(out.storage);
  asGpu(device, op).dispatch({
    label: op,
    code: bceGradWgsl(variant),
    params: params(logits, targets, 0, typeof scale === 'number' ? scale / n : 1 / n, typeof scale === 'number' ? 0 : scale.offset),
    buffers,
    workgroups: grid1d(n),
  });
  return out;
}
