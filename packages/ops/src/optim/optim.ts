import { Params, SaddleError, type Device, type Storage, type Tensor } from '@saddle/tensor';
import { asGpu, asWasm, grid1d, sameDevice } from '../shared/launch.js';
import { checkUpdate } from './check.js';
import { dense } from '../elementwise/elementwise.js';
import { sgdMomentumCpu } from './optim.cpu.js';
import { MULTI_SEGMENT_ALIGN, sgdMomentumMultiWgsl, sgdMomentumWgsl } from './optim.wgsl.js';

/** The hyperparameters of the SGD momentum update. */
export interface SgdMomentumHyperparams {
  /** Learning rate. */
  lr: number;
  /** Momentum coefficient (0 gives plain SGD). */
  momentum: number;
  /** L2 penalty coefficient added to the gradient as weightDecay * p; default 0. */
  weightDecay?: number;
}

const OP = 'sgdMomentumUpdate';

function checkHyperparams(op: string, hp: SgdMomentumHyperparams): Required<SgdMomentumHyperparams> {
  const { lr, momentum, weightDecay = 0 } = hp ?? ({} as SgdMomentumHyperparams);
  for (const [name, v] of [['lr', lr], ['momentum', momentum], ['weightDecay', weightDecay]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SaddleError(op, `${name} is ${v}; expected a finite number`);
  }
  return { lr, momentum, weightDecay };
}

function checkTriple(op: string, param: Tensor, grad: Tensor, velocity: Tensor, which = ''): void {
  checkUpdate(op, param, grad, { velocity }, which);
}

function run(param: Tensor, grad: Tensor, velocity: Tensor, hp: Required<SgdMomentumHyperparams>): void {
  if (param.size === 0) return;
  const g = dense(grad);
  try {
    if (param.device.kind === 'cpu') {
      sgdMomentumCpu(param.storage.data!, g.storage.data!, velocity.storage.data!, hp.lr, hp.momentum, hp.weightDecay);
      return;
    }
    if (param.device.kind === 'wasm') {
      const w = asWasm(param.device);
      const args = [param.size, w.address(param.storage), w.address(g.storage), w.address(velocity.storage), hp.lr, hp.momentum, hp.weightDecay] as const;
      w.run('sgdMomentum', args, 5 * param.size);
      return;
    }
    asGpu(param.device, OP).dispatch({
      label: OP,
      code: sgdMomentumWgsl(),
      params: new Params().u32(param.size).f32(hp.lr, hp.momentum, hp.weightDecay).finish(),
      buffers: [param.storage, g.storage, velocity.storage],
      workgroups: grid1d(param.size),
    });
  } finally {
    if (g !== grad) g.dispose();
  }
}

/**
 * One step of SGD with classic momentum (Polyak; as pylearn2 ran the GAN paper), in place:
 * `v = momentum * v - lr * (g + weightDecay * p); p = p + v`. `param` and `velocity` must be dense
 * (their storages are written); `grad` may be a view. All three share shape, device and dtype.
 */
export function sgdMomentumUpdate(param: Tensor, grad: Tensor, velocity: Tensor, hp: SgdMomentumHyperparams): void {
  const h = checkHyperparams(OP, hp);
  checkTriple(OP, param, grad, velocity);
  run(param, grad, velocity, h);
}

/** Options of `sgdMomentumUpdateMany`: tensors per dispatch. */
export interface SgdMomentumManyOptions {
  /**
   * At most this many tensors per dispatch of the multi-tensor kernel; default (and upper bound)
   * `sgdMomentumTensorsPerDispatch(device)`. 1 runs the single-tensor kernel once per tensor.
   */
  tensorsPerDispatch?: number;
}

/**
 * The most tensors one multi-tensor dispatch updates, whatever the device allows (on wasm, where
 * nothing binds buffers, the table of 4 integers per tensor fits the job's scratch area).
 */
export const SGD_MAX_TENSORS_PER_DISPATCH = 32;

/**
 * How many (param, grad, velocity) triples one dispatch of the multi-tensor update can bind on
 * `device`: a third of its `maxStorageBuffersPerShaderStage` (8 by default in WebGPU: 2 tensors;
 * 16 on lavapipe: 5), at most SGD_MAX_TENSORS_PER_DISPATCH. Infinity on the CPU (no dispatches);
 * SGD_MAX_TENSORS_PER_DISPATCH on wasm (one kernel call per group, no bindings).
 */
export function sgdMomentumTensorsPerDispatch(device: Device): number {
  if (device.kind === 'cpu') return Infinity;
  if (device.kind === 'wasm') return SGD_MAX_TENSORS_PER_DISPATCH;
  const storage = asGpu(device, 'sgdMomentumUpdateMany').limits.maxStorageBuffersPerShaderStage;
  return Math.max(1, Math.min(SGD_MAX_TENSORS_PER_DISPATCH, Math.floor(storage / 3)));
}

/** Thread indices a multi-tensor dispatch may cover (they are u32 in the kernel). */
const MAX_MULTI_THREADS = 2 ** 31;

/** The threads a tensor of n elements takes in a multi-tensor dispatch: n rounded up to whole workgroups. */
const segment = (n: number) => Math.ceil(n / MULTI_SEGMENT_ALIGN) * MULTI_SEGMENT_ALIGN;

/**
 * Splits the tensors (by index) into dispatches of at most `perDispatch` tensors: as few dispatches
 * as fit, with the tensors spread evenly over them (6 tensors at 5 per dispatch: 3 + 3, not 5 + 1,
 * so both dispatches use one pipeline), and no dispatch over MAX_MULTI_THREADS threads.
 */
function groups(sizes: readonly number[], perDispatch: number): number[][] {
  const count = Math.ceil(sizes.length / perDispatch);
  const per = Math.ceil(sizes.length / Math.max(1, count));
  const out: number[][] = [];
  let cur: number[] = [];
  let threads = 0;
  sizes.forEach((n, i) => {
    const padded = segment(n);
    if (cur.length === per || (cur.length > 0 && threads + padded > MAX_MULTI_THREADS)) {
      out.push(cur);
      cur = [];
      threads = 0;
    }
    cur.push(i);
    threads += padded;
  });
  if (cur.length) out.push(cur);
  return out;
}

/** Records one multi-tensor dispatch over the triples (all non-empty, grads dense). */
function runMulti(params: readonly Tensor[], grads: readonly Tensor[], velocities: readonly Tensor[], hp: Required<SgdMomentumHyperparams>): void {
  const count = params.length;
  const vec4s = Math.ceil((count + 1) / 4);
  // Segment starts, in threads.
  const starts: number[] = [0];
  for (const p of params) starts.push(starts[starts.length - 1]! + segment(p.size));
  const total = starts[count]!;
  const device = params[0]!.device;
  if (device.kind === 'wasm') {
    // One call over the tensors' elements end to end; no segment padding is needed.
    const w = asWasm(device);
    const table = params.flatMap((p, t) => [w.address(p.storage), w.address(grads[t]!.storage), w.address(velocities[t]!.storage), p.size]);
    const elements = params.reduce((a, p) => a + p.size, 0);
    w.run('sgdMomentumMulti', [count, w.ints(table), hp.lr, hp.momentum, hp.weightDecay], 5 * elements);
    return;
  }
  const buffers: Storage[] = [];
  params.forEach((p, t) => buffers.push(p.storage, grads[t]!.storage, velocities[t]!.storage));
  asGpu(device, 'sgdMomentumUpdateMany').dispatch({
    label: 'sgdMomentumUpdateMany',
    code: sgdMomentumMultiWgsl(count),
    params: new Params(16 + 32 * vec4s)
      .u32(total)
      .f32(hp.lr, hp.momentum, hp.weightDecay)
      .vec4u(starts, vec4s)
      .vec4u(params.map((p) => p.size), vec4s)
      .finish(),
    buffers,
    workgroups: grid1d(total),
  });
}

/**
 * `sgdMomentumUpdate` over lists of tensors; every triple is checked before any is updated. On
 * WebGPU the multi-tensor kernel updates up to `sgdMomentumTensorsPerDispatch(device)` tensors per
 * dispatch (one flat launch over all their elements), so a whole model takes one or a few dispatches
 * instead of one per tensor; `tensorsPerDispatch: 1` is the per-tensor path. Both give the same bits.
 * Besides the checks of `sgdMomentumUpdate`, no param or velocity may share storage with another
 * tensor's param, velocity or grad (they are all bound in one dispatch, some of them writable).
 */
export function sgdMomentumUpdateMany(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  velocities: readonly Tensor[],
  hp: SgdMomentumHyperparams,
  opts: SgdMomentumManyOptions = {},
): void {
  const op = 'sgdMomentumUpdateMany';
  const h = checkHyperparams(op, hp);
  if (grads.length !== params.length || velocities.length !== params.length) {
    throw new SaddleError(op, `got ${params.length} params, ${grads.length} grads and ${velocities.length} velocities; expected equal counts`);
  }
  const { tensorsPerDispatch } = opts;
  if (tensorsPerDispatch !== undefined && !(Number.isInteger(tensorsPerDispatch) && tensorsPerDispatch >= 1)) {
    throw new SaddleError(op, `tensorsPerDispatch is ${tensorsPerDispatch}; expected a positive integer`);
  }
  const written = new Set<unknown>();
  params.forEach((p, i) => {
    checkTriple(op, p, grads[i]!, velocities[i]!, `tensor ${i}: `);
    if (i > 0) sameDevice(op, params[0]!, p);
    for (const s of [p.storage, velocities[i]!.storage]) {
      if (written.has(s)) throw new SaddleError(op, `tensor ${i}: its param or velocity shares storage with an earlier one; expected separate tensors`);
      written.add(s);
    }
  });
  grads.forEach((g, i) => {
    // (Its own param and velocity were ruled out by checkTriple.)
    if (written.has(g.storage)) {
      throw new SaddleError(op, `tensor ${i}: its grad shares storage with another tensor's param or velocity; expected separate tensors`);
    }
  });
  if (params.length === 0) return;
  const device = params[0]!.device;
  const perDispatch = Math.min(tensorsPerDispatch ?? Infinity, sgdMomentumTensorsPerDispatch(device));
  if (device.kind === 'cpu') {
    params.forEach((p, i) => run(p, grads[i]!, velocities[i]!, h));
    return;
  }
  const live = params.map((_, i) => i).filter((i) => params[i]!.size > 0);
  for (const group of groups(live.map((i) => params[i]!.size), perDispatch)) {
    const idx = group.map((g) => live[g]!);
    if (idx.length === 1) {
      run(params[idx[0]!]!, grads[idx[0]!]!, velocities[idx[0]!]!, h);
      continue;
    }
    const ds = idx.map((i) => dense(grads[i]!));
    try {
      runMulti(idx.map((i) => params[i]!), ds, idx.map((i) => velocities[i]!), h);
    } finally {
      ds.forEach((d, k) => d !== grads[idx[k]!] && d.dispose());
    }
  }
}
