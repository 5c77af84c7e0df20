/**
 * End-to-end tests of the kernel reader's roofline, wasm kernels, configuration choices and matmul
 * ladder (issue 28 points 3 and 5), in Debian's Chromium (./page-harness.ts):
 *
 * - WebGPU on SwiftShader, from the dev server: a matmul timing shows both runners' GFLOP/s and
 *   GB/s as a % of the peak and bandwidth measured on the page, with the case's intensity and roof;
 *   the tiling and split-K picked change the WGSL shown and the product timed; every step of both
 *   ladders is listed with its code and timed into one table.
 * - WebGPU turned off, from the static build: the AssemblyScript kernels are listed with their
 *   headers and sources and every small case is timed against tfjs-wasm with its check passing; the
 *   wasm macro tile is picked and timed; the wasm ladder is timed, the WGSL steps say they need WebGPU.
 *
 * Run one with `-t`; waits are bounded and fail with the panel's state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { LONG, NO_WEBGPU_FLAGS, WEBGPU_FLAGS, click, devServer, pageFor, requireChromium, staticSite, state } from './page-harness.js';

beforeAll(requireChromium);

type Runner = { status: string; reason?: string; ms?: { median: number }; rate?: { median: number }; check?: { ok: boolean; relErr: number } };
type Timing = {
  kernel: string;
  set: string;
  config: string;
  label: string;
  intensity: number | null;
  roofline: { peak: number; bandwidth: number; device: string };
  pctOfPeak: Record<string, { flops?: number; bytes?: number }>;
  runners: Record<string, Runner>;
};

/** Waits for `expr` on the kernel panel's state; past `timeout` fails with what the panel shows. */
async function untilKernels(page: Page, expr: string, timeout = LONG): Promise<void> {
  try {
    await page.waitForFunction(
      (e) => Boolean(new Function('k', `return ${e}`)((globalThis as { saddleDemo?: { kernels: unknown } }).saddleDemo?.kernels)),
      expr,
      { timeout, polling: 500 },
    );
  } catch (e) {
    const seen = await page.evaluate(() => ({
      status: document.getElementById('kernel-status')?.textContent,
      ladder: document.getElementById('ladder-status')?.textContent,
      results: (globalThis as { saddleDemo?: { kernels: { results: unknown[]; ladder: { rows: unknown[] } } } }).saddleDemo?.kernels.results.length,
      ladderRows: (globalThis as { saddleDemo?: { kernels: { ladder: { rows: unknown[] } } } }).saddleDemo?.kernels.ladder.rows.length,
    }));
    throw new Error(`waited ${timeout / 1000} s for ${expr}; the kernel panel shows ${JSON.stringify(seen)}`, { cause: e });
  }
}

/** Clicks the time button for the current case and returns its result (or fails with the status line). */
async function timeCase(page: Page): Promise<Timing> {
  const before = await state<number>(page, 'd.kernels.results.length');
  await click(page, 'kernel-time');
  await untilKernels(page, `!k.timing && (k.results.length > ${before} || document.getElementById('kernel-status').className === 'bad')`);
  if ((await state<number>(page, 'd.kernels.results.length')) === before) throw new Error(`no result: ${await page.locator('#kernel-status').textContent()}`);
  return state<Timing>(page, `d.kernels.results[${before}]`);
}

/** What is wrong with a timing: a runner missing, no throughput, no % of peak, a failed check. */
function problemsOf(t: Timing, ids: string[]): string[] {
  const name = `${t.set} ${t.kernel} ${t.label}`;
  const out: string[] = [];
  for (const id of ids) {
    const x = t.runners[id];
    if (x?.status !== 'ok') out.push(`${name}: ${id} ${x?.status}: ${x?.reason}`);
    else if (!((x.rate?.median ?? 0) > 0)) out.push(`${name}: ${id} has no throughput`);
    const p = t.pctOfPeak[id];
    const v = p?.flops ?? p?.bytes;
    if (x?.status === 'ok' && !(v !== undefined && v > 0 && Number.isFinite(v))) out.push(`${name}: ${id} has no % of peak (${JSON.stringify(p)})`);
  }
  const check = t.runners[ids[1]!]?.check;
  if (!check?.ok) out.push(`${name}: the same-math check failed (${check?.relErr})`);
  return out;
}

/** Times every ladder step the page can run on a 128³ product and returns the table's rows. */
async function timeLadder(page: Page, expected: number): Promise<{ device: string; step: string; gflops: number; pctPeak: number }[]> {
  await page.selectOption('#ladder-size', '128');
  await click(page, 'ladder-time-all');
  await untilKernels(page, `!k.ladder.timing && k.ladder.rows.length >= ${expected}`);
  const rows = await state<{ device: string; step: string; gflops: number; pctPeak: number }[]>(page, 'd.kernels.ladder.rows');
  expect(await page.locator('#ladder-result tr').count()).toBe(expected + 1);
  for (const r of rows) {
    expect(r.gflops, `${r.device} ${r.step}`).toBeGreaterThan(0);
    expect(r.pctPeak, `${r.device} ${r.step}`).toBeGreaterThan(0);
    expect(Number.isFinite(r.pctPeak), `${r.device} ${r.step}`).toBe(true);
  }
  return rows;
}

describe('the kernel reader with WebGPU (SwiftShader), from the dev server', () => {
  const session = pageFor(devServer, WEBGPU_FLAGS, '&device=webgpu&timing=short');

  it(
    'times matmul with GFLOP/s and GB/s as a % of the peak and bandwidth measured on the page, with its intensity and roof',
    async () => {
      const { page } = session();
      expect(await state<string>(page, 'd.kernels.set')).toBe('webgpu');
      await page.selectOption('#kernel-pick', 'matmul');
      const t = await timeCase(page);
      expect(t.label).toBe('256x256x256');
      expect(problemsOf(t, ['saddle-webgpu', 'tfjs-webgpu'])).toEqual([]);
      expect(t.roofline.device).toBe('webgpu');
      expect(t.roofline.peak).toBeGreaterThan(0);
      expect(t.roofline.bandwidth).toBeGreaterThan(0);
      // 2·256³ flops over 4·3·256² bytes.
      expect(t.intensity).toBeCloseTo((2 * 256) / 12, 6);
      const gflops = (2 * 256 ** 3) / (t.runners['saddle-webgpu']!.ms!.median * 1e-3) / 1e9;
      expect(t.pctOfPeak['saddle-webgpu']!.flops).toBeCloseTo((100 * gflops) / t.roofline.peak, 6);
      expect((await page.locator('#kernel-result th').allTextContents()).slice(0, 7)).toEqual([
        'runner',
        'ms / call (median)',
        'GFLOP/s',
        '% of peak',
        'GB/s',
        '% of bandwidth',
        '% of roof',
      ]);
      expect(await page.locator('#kernel-peaks').textContent()).toMatch(
        /^webgpu, measured on this page: peak [\d.]+ GFLOP\/s, copy [\d.]+ GB\/s, ridge at [\d.]+ flop\/byte/,
      );
      expect(await page.locator('#kernel-roofline').textContent()).toMatch(
        /^Arithmetic intensity 42\.7 flop\/byte .* the roof is [\d.]+ GFLOP\/s, (memory|compute)-bound/,
      );
    },
    LONG,
  );

  it(
    'the tiling and split-K picked change the WGSL shown and are the product timed',
    async () => {
      const { page } = session();
      await page.selectOption('#kernel-pick', 'matmul');
      expect(await page.locator('#kernel-choice-tiling').isVisible()).toBe(true);
      const auto = await page.locator('#kernel-source').textContent();
      await page.selectOption('#kernel-tiling', 'small');
      expect(await page.locator('#kernel-config').textContent()).toMatch(/^config small: 32x32 block, .*\(picked above\)/);
      expect(await page.locator('#kernel-source').textContent()).not.toBe(auto);
      await page.selectOption('#kernel-splitk', '2');
      expect(await page.locator('#kernel-config').textContent()).toMatch(/split-K: K in 2 parts/);
      const t = await timeCase(page);
      expect(t.config).toBe('tiling small, split-K 2');
      expect(problemsOf(t, ['saddle-webgpu', 'tfjs-webgpu'])).toEqual([]);
      expect(await page.locator('#kernel-roofline').textContent()).toMatch(/configuration: tiling small, split-K 2\.$/);
      await page.selectOption('#kernel-tiling', 'auto');
      await page.selectOption('#kernel-splitk', 'auto');
    },
    LONG,
  );

  it(
    'lists every step of both ladders with its code and times them side by side, each against the measured peak',
    async () => {
      const { page } = session();
      const steps = await state<string[]>(page, 'd.kernels.ladder.steps');
      expect(steps).toEqual([
        'webgpu naive',
        'webgpu tiled',
        'webgpu register',
        'webgpu vec4',
        'webgpu final',
        'wasm scalar',
        'wasm f32x4',
        'wasm tile4x8',
        'wasm packed',
        'wasm kblocks',
        'wasm threads',
        'wasm fma',
      ]);
      await page.selectOption('#ladder-step', 'webgpu tiled');
      expect(await page.locator('#ladder-source').textContent()).toContain('var<workgroup>');
      await page.selectOption('#ladder-step', 'wasm tile4x8');
      expect(await page.locator('#ladder-source').textContent()).toContain('export function ladderTile4x8');
      const rows = await timeLadder(page, steps.length);
      expect(rows.map((r) => `${r.device} ${r.step}`)).toEqual(steps);
      expect(await page.locator('#kernel-peaks').textContent()).toMatch(
        /webgpu, measured .*\. wasm, measured on this page: peak [\d.]+ GFLOP\/s \([\d.]+ on one thread × \d+\)/,
      );
    },
    LONG,
  );

  it('the console shows no error', () => {
    expect(session().problems).toEqual([]);
  });
});

describe('the kernel reader with WebGPU turned off (the wasm device), from the static build', () => {
  const session = pageFor(staticSite, NO_WEBGPU_FLAGS, '&timing=short');

  it(
    'lists the AssemblyScript kernels with their headers and sources and times every small case against tfjs-wasm, every check passing',
    async () => {
      const { page } = session();
      expect(await state<string>(page, 'd.device')).toBe('wasm');
      expect(await state<string>(page, 'd.kernels.set')).toBe('wasm');
      expect(await page.locator('#kernel-time').textContent()).toBe('time against tfjs-wasm');
      type Entry = { kernel: string; small: string[]; none?: string };
      const catalog = await state<Entry[]>(page, 'd.kernels.wasmCatalog');
      expect(catalog.length).toBeGreaterThanOrEqual(18);
      const failures: string[] = [];
      let timed = 0;
      for (const entry of [...catalog].reverse()) {
        await page.selectOption('#kernel-pick', entry.kernel);
        expect(await page.locator('#kernel-source').textContent(), entry.kernel).toMatch(/export (function|const)/);
        expect((await page.locator('#kernel-header').textContent())!.length, entry.kernel).toBeGreaterThan(100);
        expect(await page.locator('#kernel-header').textContent(), entry.kernel).not.toContain('@kernel-header');
        if (entry.none) {
          expect(entry.none, entry.kernel).not.toBe('no peer listed');
          expect(await page.locator('#kernel-time').isHidden(), entry.kernel).toBe(true);
          continue;
        }
        for (const label of entry.small) {
          await page.selectOption('#kernel-case', label);
          timed++;
          try {
            failures.push(...problemsOf(await timeCase(page), ['saddle-wasm', 'tfjs-wasm']));
          } catch (e) {
            failures.push(`${entry.kernel} ${label}: ${(e as Error).message}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(timed).toBeGreaterThanOrEqual(30);
      expect(await page.locator('#kernel-peaks').textContent()).toMatch(/^wasm, measured on this page: peak [\d.]+ GFLOP\/s/);
    },
    LONG,
  );

  it(
    'the wasm macro tile picked is the product timed',
    async () => {
      const { page } = session();
      await page.selectOption('#kernel-pick', 'matmul');
      expect(await page.locator('#kernel-choice-wasm-tile').isVisible()).toBe(true);
      expect(await page.locator('#kernel-choice-tiling').isHidden()).toBe(true);
      // The static build's tfjs-wasm runs on one thread (demo/src/kernels/tfjs.ts), and the page says so.
      expect(await page.locator('#kernel-peer').textContent()).toMatch(/^tfjs peer: tf\.matMul \(on tfjs-wasm, one thread in this static build/);
      await page.selectOption('#kernel-wasm-tile', '4x4');
      expect(await page.locator('#kernel-config').textContent()).toMatch(/macro tile 4x4 register tiles \(picked above\)/);
      const t = await timeCase(page);
      expect(t.config).toBe('macro tile 4x4 register tiles');
      expect(problemsOf(t, ['saddle-wasm', 'tfjs-wasm'])).toEqual([]);
    },
    LONG,
  );

  it(
    'times the wasm ladder; the WGSL steps are listed and say they need WebGPU',
    async () => {
      const { page } = session();
      const rows = await timeLadder(page, 7);
      expect(rows.map((r) => r.step)).toEqual(['scalar', 'f32x4', 'tile4x8', 'packed', 'kblocks', 'threads', 'fma']);
      // Chromium has relaxed SIMD: the page's wasm device runs that build, the fma rung included, and the table says so.
      expect(await page.locator('#ladder-result').textContent()).toContain('wasm (relaxed-simd)');
      await page.selectOption('#ladder-step', 'webgpu naive');
      expect(await page.locator('#ladder-source').textContent()).toContain('@compute');
      await click(page, 'ladder-time');
      await untilKernels(page, "document.getElementById('ladder-status').className === 'bad'", 10_000);
      expect(await page.locator('#ladder-status').textContent()).toMatch(/the WGSL steps need WebGPU/);
    },
    LONG,
  );

  it('the console shows no error', () => {
    expect(session().problems).toEqual([]);
  });
});
