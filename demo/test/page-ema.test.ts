/**
 * The playground's averaged G: the page caps the preset's decay at 0.999, so that its samples follow
 * G within the first minute a visitor watches, while `pnpm gan train --preset quick` keeps its own
 * longer average (0.99998 with a warm-up, chosen for the 9-minute run's ~85,000 iterations).
 */
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, preset } from '@saddle/gan';
import { PAGE_G_EMA_MAX, pageGEma } from '../src/gan-panel.js';

describe("the page's averaged G", () => {
  it('uses each preset decay up to 0.999, and none where the preset has none', () => {
    for (const name of PRESET_NAMES) {
      const c = preset(name);
      const got = pageGEma(c);
      expect(got).toBeLessThanOrEqual(PAGE_G_EMA_MAX);
      expect(got).toBe(Math.min(c.gEma ?? 0, PAGE_G_EMA_MAX));
    }
    expect(pageGEma({ ...preset('quick'), gEma: 0.5 })).toBe(0.5);
  });

  it("gives quick's samples on the page a horizon of ~1,000 iterations, where the CLI's is ~50,000", () => {
    const quick = preset('quick');
    expect(quick.gEma).toBe(0.99998);
    expect(pageGEma(quick)).toBe(0.999);
    // The initial G's weight in the average after 3,000 iterations: under 5% on the page, most of it with the CLI's decay.
    expect(pageGEma(quick) ** 3000).toBeLessThan(0.05);
    expect(quick.gEma! ** 3000).toBeGreaterThan(0.7);
  });
});
