/**
 * The end-to-end tests' page harness: Debian's Chromium (/usr/bin/chromium, driven headless by
 * playwright-core; never a downloaded browser), the demo served by its own vite config (the dev
 * server, or the static build behind `vite preview`), and helpers that read the page's state
 * (`window.saddleDemo`) with bounded waits that fail with what they saw.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
const demoDir = fileURLToPath(new URL('..', import.meta.url));
/**
 * The bound of the long waits (a software GPU's first compile: minutes). SADDLE_E2E_LONG_S lowers
 * it, so that a run against a page that never gets there (an old build) ends with a verdict.
 */
export const LONG = 1000 * Number(process.env.SADDLE_E2E_LONG_S ?? 900);

export const COMMON_FLAGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'];
export const NO_WEBGPU_FLAGS = ['--disable-features=WebGPU'];

const configFile = join(demoDir, 'vite.config.ts');

/** Throws unless Debian's Chromium is installed (call it in a beforeAll). */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (Debian's; .ci/run installs it)`);
}

function urlOf(server: { httpServer: ViteDevServer['httpServer'] | PreviewServer['httpServer'] | null }): string {
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite: no port');
  return `http://127.0.0.1:${address.port}/`;
}

/**
 * `SADDLE_DEMO_SITE=<folder>`: the tests run against that built page instead (another commit's
 * `vite build` output, served with the same headers), e.g. to show that a test fails on the page
 * from before a fix (docs/playground.md, "Fails before the fix").
 */
const givenSite = process.env.SADDLE_DEMO_SITE;

/** A built page folder served as a static host would (vite preview: files + COOP/COEP headers). */
async function servedFolder(outDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await preview({ configFile, logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  return { url: urlOf(server), close: () => server.close() };
}

/** The dev server of `pnpm demo` (no file watching: the tests must not reload the page); SADDLE_DEMO_SITE's folder when set. */
export async function devServer(): Promise<{ url: string; close: () => Promise<void> }> {
  if (givenSite) return servedFolder(givenSite);
  const server = await createServer({ configFile, logLevel: 'error', server: { port: 0, host: '127.0.0.1', hmr: false, watch: null } });
  await server.listen();
  return { url: urlOf(server), close: () => server.close() };
}

/**
 * A test file's page server: registers hooks that require Chromium and run the dev server (or
 * SADDLE_DEMO_SITE's folder) for the file's tests; returns the page's URL once it runs.
 */
export function devServerForFile(): () => string {
  let site: { url: string; close: () => Promise<void> } | undefined;
  beforeAll(requireChromium);
  beforeAll(async () => {
    site = await devServer();
  }, LONG);
  afterAll(async () => {
    await site?.close();
  });
  return () => site!.url;
}

/** `pnpm demo:build`'s static site, served as a static host would (vite preview: files + headers); SADDLE_DEMO_SITE's folder when set. */
export async function staticSite(): Promise<{ url: string; close: () => Promise<void> }> {
  if (givenSite) return servedFolder(givenSite);
  const outDir = mkdtempSync(join(tmpdir(), 'saddle-demo-site-'));
  await build({ configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const served = await servedFolder(outDir);
  return {
    url: served.url,
    close: async () => {
      await served.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export interface Session {
  context: BrowserContext;
  page: Page;
  problems: string[];
  profile: string;
  /** Every request the page sent to the network (a Cache API hit sends none), in order. */
  requests: string[];
}

/**
 * Opens the page (the tiny preset, plus `query`) in a fresh profile and, unless `waitReady` is
 * false, waits until the GAN panel is ready (MNIST loaded, the device chosen).
 */
export async function open(baseUrl: string, flags: string[], query = '', waitReady = true, beforeLoad?: (page: Page) => Promise<unknown>): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), 'saddle-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...COMMON_FLAGS, ...flags],
    viewport: { width: 1200, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('crash', () => problems.push('the page crashed'));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  // The dev server serves every module as its own request: more than the 250 resource timings a
  // page keeps by default, after which later ones (MNIST's files among them) go unrecorded.
  await page.addInitScript(() => performance.setResourceTimingBufferSize(100_000));
  await beforeLoad?.(page);
  await page.goto(`${baseUrl}?preset=tiny${query}`);
  if (waitReady)
    await page.waitForFunction(() => (globalThis as { saddleDemo?: { gan: { ready: boolean } } }).saddleDemo?.gan.ready === true, null, {
      timeout: LONG,
      polling: 500,
    });
  return { context, page, problems, profile, requests };
}

/**
 * Opens the page like `open`, and records in the page, from its first moment, every text the
 * element `target` (an expression evaluated in the page, e.g. "document.getElementById('device')")
 * shows (but the HTML's own "starting…"), stamped with performance.now(), into
 * `globalThis.__seen`; returns once the page has loaded (its script has run), not waiting for the
 * GAN panel.
 */
export async function openRecording(baseUrl: string, flags: string[], query: string, target: string): Promise<Session> {
  const record = (page: Page) =>
    page.addInitScript((expr: string) => {
      const seen: [number, string][] = [];
      (globalThis as unknown as { __seen: typeof seen }).__seen = seen;
      new MutationObserver(() => {
        const el = new Function(`return ${expr}`)() as HTMLElement | null;
        const text = el?.textContent ?? '';
        if (el && text !== seen[seen.length - 1]?.[1] && text !== 'starting…') seen.push([performance.now(), text]);
      }).observe(document, { childList: true, characterData: true, subtree: true });
    }, target);
  return open(baseUrl, flags, query, false, record);
}

/** A served site: its URL and how to stop it. */
export interface Site {
  url: string;
  close: () => Promise<void>;
}

/**
 * One page for a describe block: `serve()`s the site and opens the page (`open`) before its tests,
 * closes both after them; returns the session's getter.
 */
export function pageFor(serve: () => Promise<Site>, flags: string[], query = ''): () => Session {
  let s: Session | undefined;
  let site: Site | undefined;
  beforeAll(async () => {
    site = await serve();
    s = await open(site.url, flags, query);
  }, LONG);
  afterAll(async () => {
    await close(s);
    await site?.close();
  });
  return () => s!;
}

export async function close(s: Session | undefined): Promise<void> {
  if (!s) return;
  await s.context.close();
  rmSync(s.profile, { recursive: true, force: true });
}

/** The sample grid's grey levels (red channel) and their standard deviation. */
export async function grid(page: Page): Promise<{ pixels: number[]; std: number }> {
  return page.evaluate(() => {
    const c = document.getElementById('gan-grid') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const pixels: number[] = [];
    for (let i = 0; i < d.length; i += 4) pixels.push(d[i]!);
    const mean = pixels.reduce((a, b) => a + b, 0) / pixels.length;
    const std = Math.sqrt(pixels.reduce((a, b) => a + (b - mean) ** 2, 0) / pixels.length);
    return { pixels, std };
  });
}

/** A canvas's pixels (RGB) and how many are not white. */
export async function canvasColours(page: Page, id: string): Promise<{ rgb: number[]; coloured: number }> {
  return page.evaluate((i) => {
    const c = document.getElementById(i) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const rgb: number[] = [];
    let coloured = 0;
    for (let p = 0; p < d.length; p += 4) {
      rgb.push(d[p]!, d[p + 1]!, d[p + 2]!);
      if (d[p]! < 250 || d[p + 1]! < 250 || d[p + 2]! < 250) coloured++;
    }
    return { rgb, coloured };
  }, id);
}

/** Clicks through the DOM (the page may be too busy training for playwright's stability wait). */
export const click = (page: Page, id: string) => page.evaluate((i) => (document.getElementById(i) as HTMLButtonElement).click(), id);

export const state = <T>(page: Page, f: string): Promise<T> =>
  page.evaluate((expr) => new Function('d', `return ${expr}`)((globalThis as { saddleDemo?: unknown }).saddleDemo), f) as Promise<T>;

/**
 * Waits until `expr` holds of the page's state. `timeout` bounds waits that need no compiling (the
 * kernels are warm): past it the test fails with the state it saw, rather than waiting out LONG.
 */
export async function until(page: Page, expr: string, timeout = LONG): Promise<void> {
  try {
    await page.waitForFunction((e) => Boolean(new Function('d', `return ${e}`)((globalThis as { saddleDemo?: unknown }).saddleDemo)), expr, {
      timeout,
      polling: timeout <= 5000 ? 100 : 500,
    });
  } catch (e) {
    const seen = await page
      .evaluate(() =>
        JSON.stringify((globalThis as { saddleDemo?: { gan?: { iterations: number; curves: Record<string, unknown[]> } } }).saddleDemo?.gan, (k, v: unknown) =>
          Array.isArray(v) && k !== '' ? `${v.length} points` : v,
        ),
      )
      .catch(() => 'unreadable');
    throw new Error(`waited ${timeout / 1000} s for ${expr}; the GAN panel's state: ${seen}`, { cause: e });
  }
}

/**
 * The canvas pixels of the 10 x 10 sample grid (280 x 280, row-major) that differ by more than one
 * grey level from `expected`: 100 samples of 784 grey levels (0-255), as Node computed them.
 */
export function pixelsOff(pixels: readonly number[], expected: readonly number[]): number {
  const sampleValue = (q: number) => {
    const [y, x] = [Math.floor(q / 280), q % 280]; // canvas pixel -> sample (row-major 10 x 10) and its pixel
    return expected[(Math.floor(y / 28) * 10 + Math.floor(x / 28)) * 784 + (y % 28) * 28 + (x % 28)]!;
  };
  return pixels.filter((v, q) => Math.abs(v - sampleValue(q)) > 1).length;
}

/** G's samples for noise `z`, as the grid shows them: grey levels 0-255. */
export async function greyLevels(samples: { toArray(): Promise<ArrayLike<number>>; dispose(): void }): Promise<number[]> {
  const values = Array.from(await samples.toArray(), (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
  samples.dispose();
  return values;
}
