/**
 * `pnpm demo:first-interactive [runs] [bound in s, default 180]`: the page's first interactive moments in Debian's Chromium
 * (issue 24, point 4), on the static build (`vite build`, served with its headers), on the default
 * URL (no query: the device chosen by `auto`, the quick preset), in a fresh profile each run (a
 * first visit: MNIST not cached), then once reloaded (MNIST from the cache), with WebGPU on
 * SwiftShader and with WebGPU turned off. Times are milliseconds from navigation, read in the page:
 *
 * - controls: the GAN preset select is filled and a click on the toy's start is taken (the panels
 *   are wired before the device is chosen; the toy then starts as soon as the device is ready);
 * - device: the device line names the device chosen;
 * - toy: the toy's first step (the click made at the first moment above);
 * - gan: the GAN panel's buttons enabled (MNIST loaded, the trainer built).
 *
 * The numbers depend on the machine's load: docs/playground.md records them with the load average.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, COMMON_FLAGS, NO_WEBGPU_FLAGS, WEBGPU_FLAGS, staticSite } from '../test/page-harness.js';

process.env.XDG_RUNTIME_DIR ??= '/tmp';
const runs = Number(process.argv[2] ?? 2);
/** How long a visit may take to reach every moment. */
const BOUND_MS = 1000 * Number(process.argv[3] ?? 180);

/**
 * Records the moments in the page from its first script on (a poll every 20 ms, and on every DOM
 * change). A string, not a function: tsx's transform would put helpers into a function's source
 * that the page does not have.
 */
const RECORDER = `(() => {
  const t = {};
  globalThis.__moments = t;
  const check = () => {
    const now = performance.now();
    const preset = document.getElementById('gan-preset');
    const toyStart = document.getElementById('toy-start');
    if (t.controls === undefined && preset && preset.options.length > 0 && toyStart) {
      t.controls = now;
      toyStart.click();
    }
    const device = document.getElementById('device')?.textContent ?? '';
    if (t.device === undefined && /^(webgpu|wasm|cpu)/.test(device)) t.device = now;
    const demo = globalThis.saddleDemo;
    if (t.toy === undefined && demo && demo.toy.steps >= 1) t.toy = now;
    const ganStart = document.getElementById('gan-start');
    if (t.gan === undefined && ganStart && !ganStart.disabled) t.gan = now;
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  setInterval(check, 20);
})();`;

const site = await staticSite();
try {
  for (const [name, flags] of [
    ['WebGPU on SwiftShader', WEBGPU_FLAGS],
    ['WebGPU off', NO_WEBGPU_FLAGS],
  ] as const) {
    for (let r = 0; r < runs; r++) {
      const profile = mkdtempSync(join(tmpdir(), 'saddle-chromium-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: [...COMMON_FLAGS, ...flags],
        viewport: { width: 1200, height: 900 },
      });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        await page.addInitScript({ content: RECORDER });
        for (const visit of ['first visit', 'reloaded']) {
          if (visit === 'first visit') await page.goto(site.url);
          else await page.reload();
          // Past the bound, the moments not reached are reported as such.
          await page
            .waitForFunction(
              () => {
                const m = (globalThis as unknown as { __moments?: Record<string, number> }).__moments;
                return m?.gan !== undefined && m.toy !== undefined;
              },
              null,
              { timeout: BOUND_MS, polling: 200 },
            )
            .catch(() => undefined);
          const m = await page.evaluate(() => (globalThis as unknown as { __moments: Record<string, number> }).__moments);
          const device = await page.locator('#device').textContent();
          const s = (k: string) => (m[k] === undefined ? `not within ${BOUND_MS / 1000} s` : `${(m[k] / 1000).toFixed(2)} s`);
          console.log(
            `${name}, run ${r + 1}, ${visit}: controls ${s('controls')} · device ${s('device')} (${device}) · toy's first step ${s('toy')} · GAN buttons ${s('gan')} · load average ${loadavg()[0]!.toFixed(1)}`,
          );
        }
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }
  }
} finally {
  await site.close();
}
