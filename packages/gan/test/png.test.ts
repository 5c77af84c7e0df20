import fc from 'fast-check';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { HIGHLIGHT_COLOR, NON_FINITE_COLOR, Raster, imageGrid, rowsGrid, sideBySide } from '../src/io/png.js';

const { PNG } = pngjs;

/** Decodes with pngjs (always to RGBA) and returns the size, the colour type and a pixel reader. */
function decode(bytes: Uint8Array) {
  const png = PNG.sync.read(Buffer.from(bytes));
  const at = (x: number, y: number): [number, number, number] => {
    const o = (y * png.width + x) * 4;
    expect(png.data[o + 3]).toBe(255);
    return [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
  };
  return { width: png.width, height: png.height, colorType: (png as unknown as { colorType?: number }).colorType, at };
}

const grey8 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);

describe('imageGrid', () => {
  it('decodes back to the expected pixels, tiles and padding, for random layouts', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 7 }),
          h: fc.integer({ min: 1, max: 5 }),
          w: fc.integer({ min: 1, max: 5 }),
          pad: fc.integer({ min: 0, max: 3 }),
          scale: fc.integer({ min: 1, max: 2 }),
          cols: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
          seed: fc.nat(),
        }),
        ({ n, h, w, pad, scale, cols, seed }) => {
          // Values include out-of-range ones, which are clamped.
          const images = Float32Array.from({ length: n * h * w }, (_, i) => (((i * 7919 + seed) % 1000) / 1000) * 1.4 - 0.2);
          const bytes = imageGrid(images, { n, height: h, width: w, pad, scale, cols, background: 0.5 });
          const c = cols ?? Math.ceil(Math.sqrt(n));
          const r = Math.ceil(n / c);
          const img = decode(bytes);
          expect(img.colorType).toBe(0);
          expect(img.width).toBe(c * (w * scale + pad) + pad);
          expect(img.height).toBe(r * (h * scale + pad) + pad);
          for (let k = 0; k < r * c; k++) {
            const x0 = pad + (k % c) * (w * scale + pad);
            const y0 = pad + Math.floor(k / c) * (h * scale + pad);
            for (let y = 0; y < h * scale; y++) {
              for (let x = 0; x < w * scale; x++) {
                const v = k < n ? grey8(images[k * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)]!) : 128;
                expect(img.at(x0 + x, y0 + y)).toEqual([v, v, v]);
              }
            }
          }
          // The padding (corner and the gap after the first tile) is background.
          if (pad > 0) {
            expect(img.at(0, 0)).toEqual([128, 128, 128]);
            if (c > 1) expect(img.at(pad + w * scale, pad)).toEqual([128, 128, 128]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('uses 28 × 28 tiles, 2 px of white padding and a square-ish grid by default', () => {
    const images = new Float32Array(10 * 784);
    images.fill(1, 3 * 784, 4 * 784);
    const img = decode(imageGrid(images));
    expect([img.width, img.height]).toEqual([4 * 30 + 2, 3 * 30 + 2]);
    expect(img.at(0, 0)).toEqual([255, 255, 255]);
    expect(img.at(2, 2)).toEqual([0, 0, 0]); // image 0 is black
    expect(img.at(2 + 3 * 30, 2)).toEqual([255, 255, 255]); // image 3 is white
    expect(img.at(2 + 3 * 30 + 27, 2 + 27)).toEqual([255, 255, 255]);
    expect(img.at(2 + 2 * 30, 2 + 2 * 30)).toEqual([255, 255, 255]); // cells 10, 11 are empty: background
  });

  it('paints non-finite pixels red, in an RGB PNG', () => {
    const img = decode(imageGrid(Float32Array.from([0, NaN, Infinity, 0.5]), { height: 2, width: 2, pad: 0 }));
    expect(img.colorType).toBe(2);
    expect(img.at(0, 0)).toEqual([0, 0, 0]);
    expect(img.at(1, 0)).toEqual([...NON_FINITE_COLOR]);
    expect(img.at(0, 1)).toEqual([...NON_FINITE_COLOR]);
    expect(img.at(1, 1)).toEqual([128, 128, 128]);
  });

  it('rejects impossible layouts with the numbers', () => {
    expect(() => imageGrid(new Float32Array(100))).toThrow(/100 values is not a whole number of 28 × 28 images/);
    expect(() => imageGrid(new Float32Array(784 * 5), { rows: 2, cols: 2 })).toThrow(/a 2 × 2 grid cannot hold 5 images/);
    expect(() => imageGrid(new Float32Array(784 * 5), { n: 6 })).toThrow(/n is 6; there are 5 images/);
    expect(() => imageGrid(new Float32Array(4), { height: 2, width: 2, pad: -1 })).toThrow(/pad is -1/);
  });
});

describe('rowsGrid and sideBySide', () => {
  it('rowsGrid puts each interpolation on its own row', () => {
    const rows = [Float32Array.from([0, 0.2, 0.4, 0.6]), Float32Array.from([1, 0.8, 0.6, 0.4])];
    const img = decode(rowsGrid(rows, { height: 1, width: 1, pad: 1 }));
    expect([img.width, img.height]).toEqual([9, 5]);
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 4; c++) {
        const v = grey8(rows[r]![c]!);
        expect(img.at(1 + 2 * c, 1 + 2 * r)).toEqual([v, v, v]);
      }
    }
    expect(() => rowsGrid([new Float32Array(4), new Float32Array(3)], { height: 1, width: 1 })).toThrow(/row 1 has 3 images, row 0 has 4/);
  });

  it('sideBySide draws samples, a highlighted separator, then the neighbours', () => {
    const rows = 3;
    const samples = Float32Array.from({ length: rows * 4 * 4 }, (_, i) => (i % 16) / 15); // 3 rows × 4 cols of 2×2
    const neighbours = Float32Array.from({ length: rows * 4 }, (_, i) => (i < 4 ? 1 : 0)); // 3 rows × 1 col
    const img = decode(sideBySide(samples, neighbours, { rows, height: 2, width: 2, pad: 1, separatorWidth: 3 }));
    expect(img.colorType).toBe(2);
    const leftW = 4 * 3 + 1;
    expect([img.width, img.height]).toEqual([leftW + 3 + 1 * 3 + 1, rows * 3 + 1]);
    for (let y = 0; y < img.height; y++) {
      for (let x = leftW; x < leftW + 3; x++) expect(img.at(x, y)).toEqual([...HIGHLIGHT_COLOR]);
    }
    // Sample (row 1, col 2) = image 6, its top-left pixel.
    const v = grey8(samples[6 * 4]!);
    expect(img.at(1 + 2 * 3, 1 + 1 * 3)).toEqual([v, v, v]);
    // Neighbour of row 0 is white, of row 2 black.
    expect(img.at(leftW + 3 + 1, 1)).toEqual([255, 255, 255]);
    expect(img.at(leftW + 3 + 2, 1 + 2 * 3 + 1)).toEqual([0, 0, 0]);
  });

  it('Raster draws scaled images and rectangles', () => {
    const r = new Raster(4, 2, 0);
    r.drawGrey([1, 0.5], 0, 0, 0, 2, 1, 2);
    const img = decode(r.toPng());
    expect(img.at(0, 0)).toEqual([255, 255, 255]);
    expect(img.at(1, 1)).toEqual([255, 255, 255]);
    expect(img.at(3, 1)).toEqual([128, 128, 128]);
  });
});
