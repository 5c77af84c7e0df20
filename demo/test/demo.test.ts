/**
 * End-to-end tests of the demo page in Debian's Chromium (/usr/bin/chromium, driven headless by
 * playwright-core; never a downloaded browser; ./page-harness.ts), served by the demo's own vite config:
 *
 * - WebGPU on SwiftShader (Chromium's software Vulkan), and
 * - WebGPU turned off: the library falls back to the wasm device (threads: the page is
 *   cross-origin isolated by the server's COOP/COEP headers) and says so on the page.
 *
 * The WebGPU run loads the page from the dev server (`pnpm demo`); the wasm run from the static
 * build (`pnpm demo:build`) served by `vite preview`, which sends the documented COOP/COEP headers.
 * Each run loads the page, trains the MNIST GAN (the tiny preset) a few iterations and checks that
 * the 10 x 10 grid is not blank and changes and that the curves get points; that G's gradient view
 * draws something and changes with a step; times every kernel of the reader that has a tfjs peer
 * (its small cases, `?timing=short`) against tfjs-webgpu with the benchmarks' harness and requires
 * every same-math (or, for random draws, statistical) check to pass (WebGPU only); runs the 1-D toy
 * and checks that D moves towards D* and that its gradient arrows are drawn and change; runs a
 * gradient check; and fails on any console error or page error.
 * Screenshots go to a temporary folder, or to docs/images/ with `pnpm test:browser --update-screenshots`
 * (./screenshots.ts). Software GPUs on a shared 2-core machine compile slowly: the
 * timeouts are long on purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LONG,
  NO_WEBGPU_FLAGS,
  WEBGPU_FLAGS,
  canvasColours,
  click,
  close,
  devServer,
  grid,
  open,
  requireChromium,
  staticSite,
  state,
  until,
  type Session,
} from './page-harness.js';
import { screenshotPath } from './screenshots.js';

beforeAll(requireChromium);

/** The checks both runs share: GAN, toy, gradcheck, screenshot, console. */
function sharedChecks(get: () => Session, name: string): void {
  it(
    'trains the GAN: the grid is not blank and changes, the curves get points',
    async () => {
      const { page } = get();
      const before = await grid(page);
      await click(page, 'gan-step'); // compiles every kernel of an iteration once
      await until(page, 'd.gan.iterations >= 1');
      await click(page, 'gan-start');
      // The step above compiled every kernel: after that, points come every slice (about 100 ms).
      await until(page, 'd.gan.iterations >= 6 && d.gan.curves.dLoss.length >= 3 && d.gan.curves.value.length >= 1', 180_000);
      // While training (paused, the readout says "paused" and the rate is 0).
      expect(await state<number>(page, 'd.gan.itersPerSecond')).toBeGreaterThan(0);
      await click(page, 'gan-pause');
      const after = await grid(page);
      expect(after.std).toBeGreaterThan(2); // not one flat grey
      const changed = after.pixels.filter((v, i) => v !== before.pixels[i]).length;
      // The tiny preset's G moves slowly: a few iterations change a few pixels, never none.
      expect(changed).toBeGreaterThan(0);
      const curves = await state<Record<string, [number, number][]>>(page, 'd.gan.curves');
      for (const k of ['dLoss', 'gLoss', 'dReal', 'dFake']) {
        expect(curves[k]!.length, k).toBeGreaterThanOrEqual(3);
        expect(
          curves[k]!.every(([, y]) => Number.isFinite(y)),
          k,
        ).toBe(true);
      }
      expect(await page.locator('#gan-curves [data-series]').count()).toBeGreaterThanOrEqual(4); // one group per drawn series
    },
    LONG,
  );

  it(
    "draws G's gradient for the fixed z: not blank, and it changes with each step",
    async () => {
      const { page } = get();
      await click(page, 'gan-grad-toggle');
      await until(page, 'd.gan.gradDraws >= 1');
      expect(await page.locator('#gan-grad-figure').isVisible()).toBe(true);
      const before = await canvasColours(page, 'gan-grad');
      const draws = await state<number>(page, 'd.gan.gradDraws');
      const iterations = await state<number>(page, 'd.gan.iterations');
      await click(page, 'gan-step');
      await until(page, `d.gan.iterations >= ${iterations + 1} && d.gan.gradDraws >= ${draws + 1}`);
      const after = await canvasColours(page, 'gan-grad');
      expect(await state<number>(page, 'd.gan.gradScale')).toBeGreaterThan(0);
      // Full colour at the largest |gradient|: many of the 78,400 pixels are visibly pushed.
      expect(after.coloured).toBeGreaterThan(1000);
      expect(after.rgb.filter((v, i) => v !== before.rgb[i]).length).toBeGreaterThan(0);
      expect(await page.locator('#gan-grad-caption').textContent()).toMatch(/full colour at \d/);
    },
    LONG,
  );

  it(
    "shows the paper's Figure 3 interpolation on request",
    async () => {
      const { page } = get();
      await click(page, 'gan-interp');
      await until(page, 'd.gan.interpolated');
      const size = await page.evaluate(() => {
        const c = document.getElementById('gan-interp-canvas') as HTMLCanvasElement;
        return [c.width, c.height];
      });
      expect(size).toEqual([12 * 28, 8 * 28]);
    },
    LONG,
  );

  it(
    "the toy's D moves towards D* = p_data / (p_data + p_g)",
    async () => {
      const { page } = get();
      await until(page, 'd.toy.gaps.length >= 1');
      await click(page, 'toy-start');
      await until(page, 'd.toy.steps >= 150');
      await click(page, 'toy-pause');
      const gaps = await state<number[]>(page, 'd.toy.gaps');
      expect(gaps[gaps.length - 1]).toBeLessThan(0.6 * gaps[0]!);
    },
    LONG,
  );

  it(
    "the toy draws arrows of G's gradient at its samples, and they change with a step",
    async () => {
      const { page } = get();
      const steps = await state<number>(page, 'd.toy.steps');
      const before = await state<number[]>(page, 'd.toy.arrows');
      expect(before.length).toBe(13);
      expect(before.every(Number.isFinite)).toBe(true);
      expect(before.some((g) => Math.abs(g) > 1e-6)).toBe(true);
      await click(page, 'toy-step');
      await until(page, `d.toy.steps >= ${steps + 1} && d.toy.arrows.some((g, i) => g !== ${JSON.stringify(before)}[i])`);
      const arrows = page.locator(`#toy-plot [data-series="G's gradient at its samples"]`);
      expect(await arrows.count()).toBe(1);
      expect((await arrows.innerHTML()).length).toBeGreaterThan(100); // the drawn polylines
    },
    LONG,
  );

  it(
    'runs a gradient check and shows its table',
    async () => {
      const { page } = get();
      await click(page, 'gc-run');
      await until(page, 'd.gradcheck.runs.length >= 1');
      const run = await state<{ ok: boolean; maxRelError: number }>(page, 'd.gradcheck.runs[0]');
      expect(run.ok).toBe(true);
      expect(await page.locator('#gc-table tr').count()).toBe(3); // header + two inputs of matmul
    },
    LONG,
  );

  it(
    'the page looks right (screenshot) and the console shows no error',
    async () => {
      const { page, problems } = get();
      await page.screenshot({ path: screenshotPath(`demo-${name}.png`), fullPage: true, timeout: LONG });
      expect(problems).toEqual([]);
    },
    LONG,
  );
}

describe('the demo with WebGPU (SwiftShader), from the dev server', () => {
  let s: Session | undefined;
  let site: { url: string; close: () => Promise<void> } | undefined;
  beforeAll(async () => {
    site = await devServer();
    // `auto` would time wasm against the software adapter and may pick wasm: ask for WebGPU.
    s = await open(site.url, WEBGPU_FLAGS, '&device=webgpu&timing=short');
  }, LONG);
  afterAll(async () => {
    await close(s);
    await site?.close();
  });

  it('runs on WebGPU, cross-origin isolated', async () => {
    expect(await state<string>(s!.page, 'd.device')).toBe('webgpu');
    expect(await s!.page.evaluate(() => crossOriginIsolated)).toBe(true);
  });

  it(
    'times every kernel that has a tfjs peer (its small cases) and every same-math check passes',
    async () => {
      const { page } = s!;
      type Entry = { kernel: string; small: string[]; none?: string };
      type Res = { runners: Record<string, { status: string; reason?: string; rate?: { median: number }; check?: { ok: boolean; relErr: number } }> };
      const catalog = await state<Entry[]>(page, 'd.kernels.catalog');
      expect(catalog.length).toBeGreaterThanOrEqual(18);
      const failures: string[] = [];
      let timed = 0;
      // Last to first, so the page ends on matmul's timing (the screenshot shows it).
      for (const entry of [...catalog].reverse()) {
        await page.selectOption('#kernel-pick', entry.kernel);
        expect(await page.locator('#kernel-source').textContent(), entry.kernel).toContain('@compute');
        expect((await page.locator('#kernel-header').textContent())!.length, entry.kernel).toBeGreaterThan(100);
        if (entry.none) {
          // No meaningful peer: the page says why and shows no button (and a kernel missing from the peer table fails).
          expect(entry.none, entry.kernel).not.toBe('no peer listed');
          expect(await page.locator('#kernel-time').isHidden(), entry.kernel).toBe(true);
          expect(await page.locator('#kernel-peer').textContent(), entry.kernel).toMatch(/^No timing: \w/);
          continue;
        }
        expect(entry.small.length, entry.kernel).toBeGreaterThan(0);
        expect(await page.locator('#kernel-peer').textContent(), entry.kernel).toMatch(/^tfjs peer: .*Check: /);
        for (const label of entry.small) {
          await page.selectOption('#kernel-case', label);
          const before = await state<number>(page, 'd.kernels.results.length');
          await click(page, 'kernel-time');
          timed++;
          // Done: a result, or an error shown in the status line (then no result comes).
          await until(page, `!d.kernels.timing && (d.kernels.results.length > ${before} || document.getElementById('kernel-status').className === 'bad')`);
          const name = `${entry.kernel} ${label}`;
          if ((await state<number>(page, 'd.kernels.results.length')) === before) {
            failures.push(`${name}: ${await page.locator('#kernel-status').textContent()}`);
            continue;
          }
          const r = await state<Res>(page, `d.kernels.results[${before}]`);
          for (const id of ['saddle-webgpu', 'tfjs-webgpu']) {
            const x = r.runners[id];
            if (x?.status !== 'ok') failures.push(`${name}: ${id} ${x?.status}: ${x?.reason}`);
            else if (!((x.rate?.median ?? 0) > 0)) failures.push(`${name}: ${id} has no throughput`);
          }
          const check = r.runners['tfjs-webgpu']?.check;
          if (!check?.ok) failures.push(`${name}: the same-math check failed (${check?.relErr})`);
        }
      }
      expect(failures).toEqual([]);
      expect(timed).toBeGreaterThanOrEqual(30);
      // The last timing's table (matmul 256³): both runners, a passing check.
      expect(await page.locator('#kernel-pick').inputValue()).toBe('matmul');
      expect(await page.locator('#kernel-header').textContent()).toMatch(/Tiling/);
      expect(await page.locator('#kernel-result tr').count()).toBe(3);
      expect(await page.locator('#kernel-result td.ok').count()).toBe(1);
    },
    LONG,
  );

  sharedChecks(() => s!, 'webgpu');
});

describe('the demo with WebGPU turned off (the wasm fallback), from the static build', () => {
  let s: Session | undefined;
  let site: { url: string; close: () => Promise<void> } | undefined;
  beforeAll(async () => {
    site = await staticSite();
    s = await open(site.url, NO_WEBGPU_FLAGS);
  }, LONG);
  afterAll(async () => {
    await close(s);
    await site?.close();
  });

  it('the static site is served with the headers it needs (cross-origin isolated)', async () => {
    expect(await s!.page.evaluate(() => crossOriginIsolated)).toBe(true);
  });

  it('falls back to the wasm device on several threads, on the relaxed-SIMD build, and says so', async () => {
    const { page } = s!;
    // --disable-features=WebGPU may leave navigator.gpu defined; it then has no adapter.
    expect(await state<string>(page, 'd.device')).toBe('wasm');
    // Chromium has had relaxed SIMD on by default since 114: the page validates the probe module and loads kernels-relaxed.wasm.
    const threads = Number((await page.locator('#device').textContent())?.match(/wasm \((\d+) threads, relaxed-simd\)/)?.[1]);
    expect(threads).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#device-note').textContent()).toMatch(/no WebGPU/);
    // The kernel reader opens on the kernels this page can time: the AssemblyScript ones (demo/test/kernel-reader.test.ts).
    expect(await state<string>(page, 'd.kernels.set')).toBe('wasm');
  });

  sharedChecks(() => s!, 'wasm');
});
