import { Tensor, full, type WasmDevice } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import { dense } from '../elementwise/elementwise.js';

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

/** Launches the wasm loss kernel (kernels-wasm assembly/bce/) on dense copies; a shape-[] f32 tensor, NaN when empty. */
export function sigmoidBceOnWasm(_op: string, logits: Tensor, targets: Tensor | number): Tensor {
  const device = logits.device;
  if (logits.size === 0) return full([], NaN, { dtype: 'f32', device });
  return full(
    [],
    withDense(logits, targets, (z, t) => wasmLoss(asWasm(device), z, t)),
    { dtype: 'f32', device },
  );
}

/** Launches the wasm gradient kernel on dense copies into `out` (the upstream scale is read here, in this thread's memory). */
export function sigmoidBceGradOnWasm(_op: string, logits: Tensor, targets: Tensor | number, scale: number | Tensor, out: Tensor): void {
  const n = logits.size;
  const w = asWasm(logits.device);
  // The upstream gradient is in this thread's memory: read it, no kernel needs it.
  const s = typeof scale === 'number' ? scale : scale.storage.data![scale.offset]!;
  withDense(logits, targets, (z, t) => w.run('bceGradient', [n, w.address(z.storage), ...wasmTarget(w, t), s / n, w.address(out.storage)], 12 * n));
}
