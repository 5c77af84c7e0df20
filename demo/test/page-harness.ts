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
export const LONG = 900_000;

export const COMMON_FLAGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
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

/** The dev server of `pnpm demo` (no file watching: the tests must not reload the page). */
export async function devServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await createServer({ configFile, logLevel: 'error', server: { port: 0, host: '127.0.0.1', hmr: false, watch: null } });
  await server.listen();
  return { url: urlOf(server), close: () => server.close() };
}

/** `pnpm demo:build`'s static site, served as a static host would (vite preview: files + headers). */
export async function staticSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const outDir = mkdtempSync(join(tmpdir(), 'saddle-demo-site-'));
  await build({ configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const server = await preview({ configFile, logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  return {
    url: urlOf(server),
    close: async () => {
      await server.close();
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
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...COMMON_FLAGS, ...flags], viewport: { width: 1200, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('crash', () => problems.push('the page crashed'));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await beforeLoad?.(page);
  await page.goto(`${baseUrl}?preset=tiny${query}`);
  if (waitReady) await page.waitForFunction(() => (globalThis as { saddleDemo?: { gan: { ready: boolean } } }).saddleDemo?.gan.ready === true, null, { timeout: LONG, polling: 500 });
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
  const record = (page: Page) => page.addInitScript((expr: string) => {
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

export const state = <T>(page: Page, f: string): Promise<T> => page.evaluate((expr) => new Function('d', `return ${expr}`)((globalThis as { saddleDemo?: unknown }).saddleDemo), f) as Promise<T>;

/**
 * Waits until `expr` holds of the page's state. `timeout` bounds waits that need no compiling (the
 * kernels are warm): past it the test fails with the state it saw, rather than waiting out LONG.
 */
export async function until(page: Page, expr: string, timeout = LONG): Promise<void> {
  try {
    await page.waitForFunction((e) => Boolean(new Function('d', `return ${e}`)((globalThis as { saddleDemo?: unknown }).saddleDemo)), expr, { timeout, polling: timeout <= 5000 ? 100 : 500 });
  } catch (e) {
    const seen = await page.evaluate(() => JSON.stringify((globalThis as { saddleDemo?: { gan?: { iterations: number; curves: Record<string, unknown[]> } } }).saddleDemo?.gan, (k, v: unknown) => (Array.isArray(v) && k !== '' ? `${v.length} points` : v))).catch(() => 'unreadable');
    throw new Error(`waited ${timeout / 1000} s for ${expr}; the GAN panel's state: ${seen}`, { cause: e });
  }
}

