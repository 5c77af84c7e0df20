/**
 * Broadcasting helpers for reference implementations in tests, written independently of the
 * kernels' stride arithmetic.
 */
import fc from 'fast-check';

/**
 * The row-major position, in an operand of shape `operand`, of element `flat` of the broadcast
 * result of shape `out` (shapes aligned on the right; size-1 dims of the operand repeat).
 */
export function broadcastIndex(flat: number, out: readonly number[], operand: readonly number[]): number {
  let rem = flat;
  let at = 0;
  let stride = 1;
  for (let d = out.length - 1, e = operand.length - 1; d >= 0; d--, e--) {
    const coord = rem % out[d]!;
    rem = Math.floor(rem / out[d]!);
    if (e >= 0) {
      at += (operand[e] === 1 ? 0 : coord) * stride;
      stride *= operand[e]!;
    }
  }
  return at;
}

/** Shapes derived from `base` that broadcast back to it: each dim kept or set to 1, leading dims maybe dropped. */
export function broadcastingShape(base: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }), fc.integer({ min: 0, max: base.length }))
    .map(([ones, drop]) => base.map((d, i) => (ones[i] ? 1 : d)).slice(drop));
}
