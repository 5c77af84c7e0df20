/**
 * The 2-D toy (issue 24 point 2) in Chromium, on the wasm device (WebGPU turned off): it trains,
 * the heat map and G's gradient arrows draw and change, a data set drawn on the canvas is the one
 * used, and refused inputs are named. Waits are bounded and fail with the panel's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { LONG, NO_WEBGPU_FLAGS, canvasColours, click, close, devServer, open, requireChromium, state, type Session } from './page-harness.js';

beforeAll(requireChromium);

let site: { url: string; close: () => Promise<void> } | undefined;
let s: Session;
beforeAll(async () => {
  site = await devServer();
  s = await open(site.url, NO_WEBGPU_FLAGS, '&device=wasm', false);
  await waitFor(s.page, 'd.toy2d.ready && d.toy2d.draws >= 1', 120_000);
}, LONG);
afterAll(async () => {
  await close(s);
  await site?.close();
});

/** Waits until `expr` holds of `window.saddleDemo`; past `timeout` fails with the 2-D panel's state. */
async function waitFor(page: Page, expr: string, timeout: number): Promise<void> {
  try {
    await page.waitForFunction((e) => Boolean(new Function('d', `return ${e}`)((globalThis as { saddleDemo?: unknown }).saddleDemo)), expr, {
      timeout,
      polling: 100,
    });
  } catch (e) {
    const seen = await page
      .evaluate(() =>
        JSON.stringify((globalThis as { saddleDemo?: { toy2d?: unknown } }).saddleDemo?.toy2d, (k, v: unknown) =>
          Array.isArray(v) && v.length > 8 ? `${v.length} items, last ${JSON.stringify(v[v.length - 1])}` : v,
        ),
      )
      .catch(() => 'unreadable');
    const status = await page
      .locator('#toy2d-status')
      .textContent()
      .catch(() => '');
    throw new Error(`waited ${timeout / 1000} s for ${expr}; the 2-D toy's state: ${seen}; status: ${status}`, { cause: e });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the 2-D toy on the wasm device', () => {
  it(
    'trains, and the heat map and the arrows draw and change',
    async () => {
      const { page } = s;
      const first = await canvasColours(page, 'toy2d-canvas');
      // Not blank: the heat map colours most of the canvas, and both kinds of point are there.
      expect(first.coloured).toBeGreaterThan(first.rgb.length / 3 / 2);
      // The arrows: dark grey strokes (#222; the points are dark green and purple, the heat map light).
      const arrowPixels = (rgb: number[]) => {
        let n = 0;
        for (let i = 0; i < rgb.length; i += 3)
          if (Math.max(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!) < 90 && Math.abs(rgb[i]! - rgb[i + 1]!) < 20 && Math.abs(rgb[i + 1]! - rgb[i + 2]!) < 20) n++;
        return n;
      };
      // The arrows' length follows G's gradient, which shrinks as G nears the data: after training
      // they may be short. So the canvas is checked against the length the frame drew (dark pixels
      // per pixel of arrow: 0.62 here, antialiased 1-pixel lines), not against a fixed count.
      const drawnAsLong = async (rgb: number[]) => {
        const length = await state<number>(page, 'd.toy2d.arrowLengthPx');
        expect(length).toBeGreaterThan(0);
        expect(arrowPixels(rgb)).toBeGreaterThanOrEqual(0.3 * length);
      };
      expect(arrowPixels(first.rgb)).toBeGreaterThan(100);
      await drawnAsLong(first.rgb);
      const gradients0 = await state<[number, number][]>(page, 'd.toy2d.gradients');
      expect(gradients0.length).toBeGreaterThan(50);
      expect(gradients0.some(([gx, gy]) => Math.hypot(gx, gy) > 1e-3)).toBe(true);
      const heat0 = await state<{ min: number; max: number }>(page, 'd.toy2d.heat');
      await page.selectOption('#toy2d-speed', 'max');
      await click(page, 'toy2d-start');
      await waitFor(page, 'd.toy2d.steps >= 200', 60_000);
      await click(page, 'toy2d-pause');
      await waitFor(page, '!d.toy2d.running', 2000);
      await sleep(300);
      const later = await canvasColours(page, 'toy2d-canvas');
      const changed = later.rgb.filter((v, i) => Math.abs(v - first.rgb[i]!) > 8).length;
      expect(changed).toBeGreaterThan(later.rgb.length / 20);
      await drawnAsLong(later.rgb);
      const heat1 = await state<{ min: number; max: number }>(page, 'd.toy2d.heat');
      expect(heat1).not.toEqual(heat0);
      expect(await state<[number, number][]>(page, 'd.toy2d.gradients')).not.toEqual(gradients0);
      const distances = await state<number[]>(page, 'd.toy2d.distances');
      console.log(
        `2-D toy on wasm: ${await state<number>(page, 'd.toy2d.steps')} steps, chamfer distance ${distances[0]!.toFixed(3)} -> ${distances[distances.length - 1]!.toFixed(3)}`,
      );
      expect(distances[distances.length - 1]!).toBeLessThan(distances[0]!);
      expect(s.problems).toEqual([]);
    },
    LONG,
  );

  it(
    'a data set drawn on the canvas is the one used',
    async () => {
      const { page } = s;
      await page.locator('#toy2d-canvas').scrollIntoViewIfNeeded();
      const box = (await page.locator('#toy2d-canvas').boundingBox())!;
      const at = (x: number, y: number) => [box.x + ((x + 3) / 6) * box.width, box.y + ((3 - y) / 6) * box.height] as const;
      // D on the heat map's grid, averaged over the cells of the given points.
      const dAt = async (points: [number, number][]) => {
        const grid = await state<number[]>(page, 'd.toy2d.heatGrid');
        const cells = Math.round(Math.sqrt(grid.length));
        const cell = ([x, y]: [number, number]) =>
          Math.min(cells - 1, Math.floor(((3 - y) / 6) * cells)) * cells + Math.min(cells - 1, Math.floor(((x + 3) / 6) * cells));
        return points.reduce((sum, p) => sum + grid[cell(p)]!, 0) / points.length;
      };
      const stroke = Array.from({ length: 11 }, (_, i) => [-1 + 0.2 * i, -1 + 0.2 * i] as [number, number]);
      const before = await dAt(stroke);
      // A stroke through the centre, view (-1, -1) to (1, 1).
      await page.mouse.move(...at(-1, -1));
      await page.mouse.down();
      for (let i = 1; i <= 10; i++) await page.mouse.move(...at(-1 + 0.2 * i, -1 + 0.2 * i));
      await page.mouse.up();
      await waitFor(page, "d.toy2d.data === 'drawn' && d.toy2d.drawn.length >= 5", 5000);
      const drawn = await state<[number, number][]>(page, 'd.toy2d.drawn');
      for (const [x, y] of drawn) {
        expect(Math.abs(x - y)).toBeLessThan(0.1);
        expect(Math.abs(x)).toBeLessThan(1.1);
      }
      expect(await page.locator('#toy2d-data').inputValue()).toBe('drawn');
      const draws = await state<number>(page, 'd.toy2d.draws');
      await click(page, 'toy2d-step');
      await waitFor(page, `d.toy2d.draws > ${draws}`, 10_000);
      // The real points shown are the drawn set's: each near a drawn point.
      const real = await state<[number, number][]>(page, 'd.toy2d.real');
      for (const [x, y] of real) expect(Math.min(...drawn.map(([px, py]) => Math.hypot(x - px, y - py)))).toBeLessThan(0.7);
      // And D learns them as real: with D alone training (3 steps an iteration), D on the stroke rises.
      await page.selectOption('#toy2d-train', 'D only');
      await page.fill('#toy2d-k-d', '3');
      const steps = await state<number>(page, 'd.toy2d.steps');
      await click(page, 'toy2d-start');
      await waitFor(page, `d.toy2d.steps >= ${steps + 150}`, 60_000);
      await click(page, 'toy2d-pause');
      await waitFor(page, '!d.toy2d.running', 2000);
      await sleep(300);
      const after = await dAt(drawn);
      console.log(`D on the stroke: ${before.toFixed(3)} before drawing, ${after.toFixed(3)} after 150 iterations of D alone on it`);
      expect(after).toBeGreaterThan(0.6);
      expect(after).toBeGreaterThan(before + 0.1);
      expect(s.problems).toEqual([]);
    },
    LONG,
  );

  it(
    'refuses out-of-range inputs and an empty drawing with a message, keeping the last valid values',
    async () => {
      const { page } = s;
      await page.fill('#toy2d-lr-g', '50');
      await page.fill('#toy2d-k-g', '-3');
      let errors = await state<string[]>(page, 'd.toy2d.inputErrors');
      expect(errors.join(' ')).toMatch(/G's learning rate: 50 is out of range; expected 0 to 1/);
      expect(errors.join(' ')).toMatch(/k for G .*: -3 is out of range; expected 1 to 20/);
      expect(await page.locator('#toy2d-errors').textContent()).toMatch(/out of range/);
      expect(await state<number>(page, 'd.toy2d.settings.lrG')).toBe(0.1);
      expect(await state<number>(page, 'd.toy2d.settings.kG')).toBe(1);
      expect(await state<number>(page, 'd.toy2d.settings.kD')).toBe(3);
      await page.fill('#toy2d-lr-g', '0.2');
      await page.fill('#toy2d-k-g', '3');
      expect(await state<string[]>(page, 'd.toy2d.inputErrors')).toEqual([]);
      expect(await state<number>(page, 'd.toy2d.settings.lrG')).toBe(0.2);
      expect(await state<number>(page, 'd.toy2d.settings.kG')).toBe(3);
      // The selects are live too.
      await page.selectOption('#toy2d-update', 'simultaneous');
      await page.selectOption('#toy2d-gloss', 'saturating');
      expect(await state<string>(page, 'd.toy2d.settings.update')).toBe('simultaneous');
      expect(await state<string>(page, 'd.toy2d.settings.gLoss')).toBe('saturating');
      // An empty drawing cannot be the data set: refused, and the moons stay in use.
      await page.selectOption('#toy2d-data', 'moons');
      await click(page, 'toy2d-clear');
      await page.selectOption('#toy2d-data', 'drawn');
      errors = await state<string[]>(page, 'd.toy2d.inputErrors');
      expect(errors.join(' ')).toMatch(/nothing is drawn yet; click or drag on the canvas .*still using moons/);
      expect(await state<string>(page, 'd.toy2d.data')).toBe('moons');
      expect(await page.locator('#toy2d-data').inputValue()).toBe('moons');
      const draws = await state<number>(page, 'd.toy2d.draws');
      await click(page, 'toy2d-step');
      await waitFor(page, `d.toy2d.draws > ${draws}`, 10_000);
      expect(s.problems).toEqual([]);
    },
    LONG,
  );
});
