import { expect } from 'vitest';
import type { TypedArray } from '@saddle/tensor';

/**
 * Asserts |got - want| <= atol + rtol * |want| elementwise, reporting the worst element.
 * NaN matches NaN; infinities must match exactly.
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, opts: { atol?: number; rtol?: number; label?: string } = {}): void {
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-5;
  expect(got.length, `${opts.label ?? ''} length`).toBe(want.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (!Number.isFinite(w) || !Number.isFinite(g)) {
      if (g !== w) {
        worst = i;
        worstExcess = Infinity;
        break;
      }
      continue;
    }
    const excess = Math.abs(g - w) - (atol + rtol * Math.abs(w));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${opts.label ?? 'values'} differ at element ${worst}: got ${got[worst]}, want ${want[worst]} (atol ${atol}, rtol ${rtol})`,
    );
  }
}

export function toNumbers(a: TypedArray): number[] {
  return Array.from(a);
}
