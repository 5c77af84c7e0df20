import { SaddleError, type Device, type Tensor } from '@saddle/tensor';
import { sameDevice } from '../shared/launch.js';
import type { DeviceTable } from '../shared/device-table.js';
import { checkUpdate } from './check.js';
import { dense } from '../elementwise/elementwise.js';
import { sgdMomentumOnCpu } from './optim.cpu.js';
import { sgdMomentumMultiOnWasm, sgdMomentumOnWasm } from './optim.wasm.js';
import { segment, sgdMomentumMultiOnWebgpu, sgdMomentumOnWebgpu, sgdMomentumTensorsPerDispatchOnWebgpu } from './optim.webgpu.js';

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

/** One SGD-momentum step in place on a non-empty, checked triple (grad dense), on each device. */
const SGD: DeviceTable<(param: Tensor, g: Tensor, velocity: Tensor, lr: number, momentum: number, weightDecay: number) => void> = {
  cpu: sgdMomentumOnCpu,
  wasm: sgdMomentumOnWasm,
  webgpu: sgdMomentumOnWebgpu,
};

function checkHyperparams(op: string, hp: SgdMomentumHyperparams): Required<SgdMomentumHyperparams> {
  const { lr, momentum, weightDecay = 0 } = hp ?? ({} as SgdMomentumHyperparams);
  for (const [name, v] of [
    ['lr', lr],
    ['momentum', momentum],
    ['weightDecay', weightDecay],
  ] as const) {
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
    SGD[param.device.kind](param, g, velocity, hp.lr, hp.momentum, hp.weightDecay);
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

/** sgdMomentumTensorsPerDispatch on each device, at most `max`. */
const TENSORS_PER_DISPATCH: DeviceTable<(device: Device, max: number) => number> = {
  cpu: () => Infinity,
  wasm: (_device, max) => max,
  webgpu: sgdMomentumTensorsPerDispatchOnWebgpu,
};

/**
 * How many (param, grad, velocity) triples one dispatch of the multi-tensor update can bind on
 * `device`: a third of its `maxStorageBuffersPerShaderStage` (8 by default in WebGPU: 2 tensors;
 * 16 on lavapipe: 5), at most SGD_MAX_TENSORS_PER_DISPATCH. Infinity on the CPU (no dispatches);
 * SGD_MAX_TENSORS_PER_DISPATCH on wasm (one kernel call per group, no bindings).
 */
export function sgdMomentumTensorsPerDispatch(device: Device): number {
  return TENSORS_PER_DISPATCH[device.kind](device, SGD_MAX_TENSORS_PER_DISPATCH);
}

/** Thread indices a multi-tensor dispatch may cover (they are u32 in the kernel). */
const MAX_MULTI_THREADS = 2 ** 31;

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

/** One multi-tensor launch over the triples (all non-empty, grads dense), on a device that has one. */
type MultiLaunch = (
  params: readonly Tensor[],
  grads: readonly Tensor[],
  velocities: readonly Tensor[],
  lr: number,
  momentum: number,
  weightDecay: number,
) => void;

/** The checked triples, one tensor at a time (the CPU: no dispatches to save). */
function runEach(params: readonly Tensor[], grads: readonly Tensor[], velocities: readonly Tensor[], h: Required<SgdMomentumHyperparams>): void {
  params.forEach((p, i) => run(p, grads[i]!, velocities[i]!, h));
}

/** The checked triples in groups of at most `perDispatch`: one multi-tensor launch per group (`run` for a group of one). */
function runGrouped(
  launch: MultiLaunch,
  params: readonly Tensor[],
  grads: readonly Tensor[],
  velocities: readonly Tensor[],
  h: Required<SgdMomentumHyperparams>,
  perDispatch: number,
): void {
  const live = params.map((_, i) => i).filter((i) => params[i]!.size > 0);
  for (const group of groups(
    live.map((i) => params[i]!.size),
    perDispatch,
  )) {
    const idx = group.map((g) => live[g]!);
    if (idx.length === 1) {
      run(params[idx[0]!]!, grads[idx[0]!]!, velocities[idx[0]!]!, h);
      continue;
    }
    const ds = idx.map((i) => dense(grads[i]!));
    try {
      launch(
        idx.map((i) => params[i]!),
        ds,
        idx.map((i) => velocities[i]!),
        h.lr,
        h.momentum,
        h.weightDecay,
      );
    } finally {
      ds.forEach((d, k) => d !== grads[idx[k]!] && d.dispose());
    }
  }
}

/** sgdMomentumUpdateMany's updates of checked triples, on each device. */
const SGD_MANY: DeviceTable<
  (params: readonly Tensor[], grads: readonly Tensor[], velocities: readonly Tensor[], h: Required<SgdMomentumHyperparams>, perDispatch: number) => void
> = {
  cpu: runEach,
  wasm: (params, grads, velocities, h, perDispatch) => runGrouped(sgdMomentumMultiOnWasm, params, grads, velocities, h, perDispatch),
  webgpu: (params, grads, velocities, h, perDispatch) => runGrouped(sgdMomentumMultiOnWebgpu, params, grads, velocities, h, perDispatch),
};

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
  SGD_MANY[device.kind](params, grads, velocities, h, perDispatch);
}
