/**
 * What the page refuses before it runs anything (issue 24, items 7 and 8), and where the browser
 * tests put their screenshots (point 5): plain functions, tested in Node.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ELEMENTS, parseShapes } from '../src/gradcheck-panel.js';
import { readBox } from '../src/number-box.js';
import { TRACKED_IMAGES, screenshotDir } from './screenshots.js';

describe("the toy's number boxes", () => {
  const lr = { id: 'x', what: "D's learning rate", min: 0, max: 1, integer: false };
  const k = { id: 'y', what: 'k for D', min: 1, max: 20, integer: true };

  it('accept exactly the values in range (whole numbers for k)', () => {
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), (v) => {
        const got = readBox(lr, String(v));
        expect(got instanceof Error).toBe(v < 0 || v > 1);
        const kGot = readBox(k, String(v));
        expect(kGot instanceof Error).toBe(!Number.isInteger(v) || v < 1 || v > 20);
        if (!(kGot instanceof Error)) expect(kGot).toBe(v);
      }),
    );
  });

  it('say which box, what was typed and what is expected', () => {
    expect((readBox(lr, '50') as Error).message).toBe("D's learning rate: 50 is out of range; expected 0 to 1");
    expect((readBox(k, '-3') as Error).message).toBe('k for D: -3 is out of range; expected 1 to 20');
    expect((readBox(k, '2.5') as Error).message).toMatch(/not a whole number/);
    expect((readBox(k, '') as Error).message).toMatch(/is not a number/);
  });
});

describe("the gradient check's shapes", () => {
  it('take one shape per input of the op', () => {
    expect(parseShapes('matmul', '3x4, 4x5')).toEqual([
      [3, 4],
      [4, 5],
    ]);
    expect(() => parseShapes('matmul', '3x4')).toThrow(/matmul takes 2 inputs: 2 shapes separated by commas, e.g. "3x4, 4x5"; got 1/);
    expect(() => parseShapes('sigmoid', '3x4, 4x5')).toThrow(/sigmoid takes 1 input/);
    expect(() => parseShapes('sum', '3xq')).toThrow(/sum: shape "3xq": expected 1 to 4 sizes/);
  });

  it(`bound the elements checked to ${MAX_ELEMENTS} in all`, () => {
    expect(() => parseShapes('sum', '64x64x64')).toThrow(/262144 elements; the check takes at most 1024/);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }), (dims) => {
        const n = dims.reduce((a, b) => a * b, 1);
        const run = () => parseShapes('sum', dims.join('x'));
        if (n > MAX_ELEMENTS) expect(run).toThrow(/at most/);
        else expect(run()).toEqual([dims]);
      }),
    );
  });
});

describe('screenshots', () => {
  it('go outside the tracked tree unless SADDLE_UPDATE_SCREENSHOTS=1 (pnpm test:browser --update-screenshots)', () => {
    const dir = screenshotDir({});
    expect(dir.startsWith(TRACKED_IMAGES)).toBe(false);
    expect(dir.startsWith(TRACKED_IMAGES.replace(/docs\/images\/$/, ''))).toBe(false);
    expect(screenshotDir({ SADDLE_UPDATE_SCREENSHOTS: '1' })).toBe(TRACKED_IMAGES);
  });
});
