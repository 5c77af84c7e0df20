import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { speckle } from '../src/metrics/speckle.js';

/** A blank side x side image with the listed (row, col) pixels lit at 1. */
function image(side: number, lit: [number, number][]): Float32Array {
  const a = new Float32Array(side * side);
  for (const [r, c] of lit) a[r * side + c] = 1;
  return a;
}

describe('speckle', () => {
  it('counts blobs of at most 3 lit pixels, 8-connected, and not larger ones', () => {
    const side = 10;
    const img = image(side, [
      [0, 0], // a single pixel in the corner: a speck
      [2, 2],
      [3, 3], // two pixels touching diagonally: one speck (8-connected)
      [5, 5],
      [5, 6],
      [5, 7],
      [5, 8], // a stroke of 4: not a speck
      [8, 1],
      [8, 2],
      [9, 1], // three pixels: a speck
    ]);
    const r = speckle(img, 1, { side });
    expect(r.specksPerImage).toBe(3);
    expect(r.imagesWithSpecks).toBe(1);
  });

  it('ignores pixels at or below the threshold, and averages over images', () => {
    const side = 6;
    const faint = image(side, []);
    faint[7] = 0.5; // not above 0.5
    const one = image(side, [[3, 3]]);
    const both = new Float32Array(2 * side * side);
    both.set(faint, 0);
    both.set(one, side * side);
    const r = speckle(both, 2, { side });
    expect(r.specksPerImage).toBe(0.5);
    expect(r.imagesWithSpecks).toBe(0.5);
  });

  it('matches a brute-force count on random sparse images', () => {
    const side = 8;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: side - 1 }), fc.integer({ min: 0, max: side - 1 })), { maxLength: 20 }), (lit) => {
        const img = image(side, lit);
        // Brute force: union-find over lit pixels, joined when within one step in both directions.
        const on = [...new Set(lit.map(([r, c]) => r * side + c))];
        const parent = new Map(on.map((p) => [p, p]));
        const find = (p: number): number => (parent.get(p) === p ? p : find(parent.get(p)!));
        for (const a of on)
          for (const b of on) {
            if (Math.abs(Math.floor(a / side) - Math.floor(b / side)) <= 1 && Math.abs((a % side) - (b % side)) <= 1) parent.set(find(a), find(b));
          }
        const sizes = new Map<number, number>();
        for (const p of on) sizes.set(find(p), (sizes.get(find(p)) ?? 0) + 1);
        const expected = [...sizes.values()].filter((s) => s <= 3).length;
        expect(speckle(img, 1, { side }).specksPerImage).toBe(expected);
      }),
    );
  });

  it('refuses too few values', () => {
    expect(() => speckle(new Float32Array(10), 1)).toThrow(/expected 1 images of 28x28 \(784 values\), got 10/);
  });
});
