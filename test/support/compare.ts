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
    expect.fail(`${opts.label ?? 'values'} differ at element ${worst}: got ${got[worst]}, want ${want[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

export function toNumbers(a: TypedArray): number[] {
  return Array.from(a);
}

const SMALLEST_NORMAL_F32 = 2 ** -126;

/** Distance in f32 ulps between two f32 values (both finite): how many floats lie between them. */
export function ulpDistance(a: number, b: number): number {
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  // Map the sign-magnitude bit patterns onto one ordered integer line (-0 and +0 both go to 0).
  const ordered = (i: number) => (i < 0 ? -(i & 0x7fffffff) : i);
  return Math.abs(ordered(bits[0]!) - ordered(bits[1]!));
}

/**
 * Asserts each f32 result is within `ulps` ulps of the exact value `want(x)` (computed in doubles,
 * then rounded to f32). Results whose exact value is below the smallest normal f32 (2^-126) may be
 * off by up to 2^-126 in absolute terms instead: WGSL lets a device flush subnormals to zero. NaN
 * must give NaN; infinities must match exactly. Reports the worst input.
 */
export function expectUlps(xs: ArrayLike<number>, got: ArrayLike<number>, want: (x: number) => number, ulps: number, label: string): number {
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = Math.fround(want(xs[i]!));
    const g = got[i]!;
    const where = `${label}(${xs[i]}): got ${g}, want ${w}`;
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      expect(Object.is(g, w) || (Number.isNaN(w) && Number.isNaN(g)), where).toBe(true);
      continue;
    }
    expect(Number.isFinite(g), where).toBe(true);
    if (Math.abs(w) < SMALLEST_NORMAL_F32 && Math.abs(g - w) <= SMALLEST_NORMAL_F32) continue;
    const d = ulpDistance(g, w);
    if (d > ulps) expect.fail(`${where}: ${d} ulps apart, allowed ${ulps}`);
    worst = Math.max(worst, d);
  }
  return worst;
}
