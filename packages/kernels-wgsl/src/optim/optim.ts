import { Params, SaddleError, fmtShape, shapesEqual, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d, sameDevice, sameDType } from '../shared/launch.js';
import { dense } from '../elementwise/elementwise.js';
import { sgdMomentumCpu } from './optim.cpu.js';
import { sgdMomentumWgsl } from './optim.wgsl.js';

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
  sameDevice(op, param, grad, velocity);
  sameDType(op, param, grad);
  sameDType(op, param, velocity);
  if (param.dtype !== 'f32' && param.dtype !== 'f64') throw new SaddleError(op, `${which}param has dtype ${param.dtype}; expected f32 or f64`);
  for (const [name, t] of [['grad', grad], ['velocity', velocity]] as const) {
    if (!shapesEqual(t.shape, param.shape)) {
      throw new SaddleError(op, `${which}${name} has shape ${fmtShape(t.shape)} but param has ${fmtShape(param.shape)}; expected equal shapes`);
    }
  }
  for (const [name, t] of [['param', param], ['velocity', velocity]] as const) {
    if (!t.isDense) {
      throw new SaddleError(op, `${which}${name} ${fmtShape(t.shape)} is a strided view; expected a dense tensor (it is updated in place)`);
    }
  }
  if (param.storage === velocity.storage || grad.storage === param.storage || grad.storage === velocity.storage) {
    throw new SaddleError(op, `${which}param, grad and velocity share storage; expected three separate tensors`);
  }
}

function run(param: Tensor, grad: Tensor, velocity: Tensor, hp: Required<SgdMomentumHyperparams>): void {
  if (param.size === 0) return;
  const g = dense(grad);
  try {
    if (param.device.kind === 'cpu') {
      sgdMomentumCpu(param.storage.data!, g.storage.data!, velocity.storage.data!, hp.lr, hp.momentum, hp.weightDecay);
      return;
    }
    asGpu(param.device).dispatch({
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

/** `sgdMomentumUpdate` over lists of tensors (one kernel each); every triple is checked before any is updated. */
export function sgdMomentumUpdateMany(params: readonly Tensor[], grads: readonly Tensor[], velocities: readonly Tensor[], hp: SgdMomentumHyperparams): void {
  const op = 'sgdMomentumUpdateMany';
  const h = checkHyperparams(op, hp);
  if (grads.length !== params.length || velocities.length !== params.length) {
    throw new SaddleError(op, `got ${params.length} params, ${grads.length} grads and ${velocities.length} velocities; expected equal counts`);
  }
  const seen = new Set<unknown>();
  params.forEach((p, i) => {
    checkTriple(op, p, grads[i]!, velocities[i]!, `tensor ${i}: `);
    for (const s of [p.storage, velocities[i]!.storage]) {
      if (seen.has(s)) throw new SaddleError(op, `tensor ${i}: its param or velocity shares storage with an earlier one; expected separate tensors`);
      seen.add(s);
    }
  });
  params.forEach((p, i) => run(p, grads[i]!, velocities[i]!, h));
}
