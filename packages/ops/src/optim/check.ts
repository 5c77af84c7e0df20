import { SaddleError, fmtShape, shapesEqual, type Tensor } from '@saddle/tensor';
import { sameDevice, sameDType } from '../shared/launch.js';

/**
 * The checks every in-place optimizer update makes before it writes anything: param, grad and the
 * state tensors (SGD's velocity; Adam's two moments) alive, on one device, of one float dtype and
 * one shape; param and state dense (they are written in place); no two of them sharing storage.
 * `which` prefixes the messages (`tensor 3: `) when a list of tensors is updated; `names` are what
 * the messages call param and grad (the moving average: target and source).
 */
export function checkUpdate(
  op: string,
  param: Tensor,
  grad: Tensor,
  state: Record<string, Tensor>,
  which = '',
  names: readonly [string, string] = ['param', 'grad'],
): void {
  const [paramName, gradName] = names;
  const named = Object.entries(state);
  sameDevice(op, param, grad, ...named.map(([, t]) => t));
  sameDType(op, param, grad);
  for (const [, t] of named) sameDType(op, param, t);
  if (param.dtype !== 'f32' && param.dtype !== 'f64') throw new SaddleError(op, `${which}${paramName} has dtype ${param.dtype}; expected f32 or f64`);
  for (const [name, t] of [[gradName, grad] as const, ...named]) {
    if (!shapesEqual(t.shape, param.shape)) {
      throw new SaddleError(op, `${which}${name} has shape ${fmtShape(t.shape)} but ${paramName} has ${fmtShape(param.shape)}; expected equal shapes`);
    }
  }
  for (const [name, t] of [[paramName, param] as const, ...named]) {
    if (!t.isDense) {
      throw new SaddleError(op, `${which}${name} ${fmtShape(t.shape)} is a strided view; expected a dense tensor (it is updated in place)`);
    }
  }
  const all = [param, grad, ...named.map(([, t]) => t)];
  if (new Set(all.map((t) => t.storage)).size !== all.length) {
    const labels = [paramName, gradName, ...named.map(([n]) => n)];
    throw new SaddleError(
      op,
      `${which}${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]} share storage; expected ${all.length} separate tensors`,
    );
  }
}
