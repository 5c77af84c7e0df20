import { SaddleError, processWide } from '@saddle/tensor';

/**
 * Grad mode: whether differentiable ops record onto the tape. On by default; `noGrad(fn)` turns it
 * off for the duration of `fn` (evaluation, sampling, optimizer steps), `enableGrad(fn)` turns it
 * back on inside a `noGrad`. Backward itself runs with grad mode off.
 * The flag is process-wide (`processWide`): a second copy of this package sees the same mode.
 */
const mode = processWide('@saddle/autograd grad mode', 1, () => ({ enabled: true }));

/** Whether ops record onto the tape (see `noGrad`). */
export function isGradEnabled(): boolean {
  return mode.enabled;
}

function withMode<T>(op: string, on: boolean, fn: () => T): T {
  const previous = mode.enabled;
  mode.enabled = on;
  let result: T;
  try {
    result = fn();
  } finally {
    mode.enabled = previous;
  }
  if (result instanceof Promise) {
    // The mode was restored when fn returned its promise, so the work after its first `await` ran
    // in the wrong mode. Say so instead of silently recording (or not recording).
    throw new SaddleError(op, 'the function returned a Promise; expected a synchronous function (await outside, then call it)');
  }
  return result;
}

/** Runs `fn` with recording off: ops inside build no graph and their results do not require grad. */
export function noGrad<T>(fn: () => T): T {
  return withMode('noGrad', false, fn);
}

/** Runs `fn` with recording on (inside a `noGrad`, for instance). */
export function enableGrad<T>(fn: () => T): T {
  return withMode('enableGrad', true, fn);
}

/** Sets grad mode globally and returns the previous setting (prefer `noGrad(fn)`, which restores it). */
export function setGradEnabled(on: boolean): boolean {
  const previous = mode.enabled;
  mode.enabled = on;
  return previous;
}
