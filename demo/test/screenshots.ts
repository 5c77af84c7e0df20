/**
 * Where the end-to-end tests write their screenshots: the tracked docs/images/ only when asked
 * (`pnpm test:browser --update-screenshots`, which sets SADDLE_UPDATE_SCREENSHOTS=1), else one
 * temporary folder per run, so a test run never leaves the working tree dirty.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRACKED_IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));

let dir: string | null = null;

/** The folder screenshots go to in this run. */
export function screenshotDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SADDLE_UPDATE_SCREENSHOTS === '1') return TRACKED_IMAGES;
  dir ??= mkdtempSync(join(tmpdir(), 'saddle-screenshots-'));
  return dir;
}

/** The path for screenshot `name`, its folder created. */
export function screenshotPath(name: string): string {
  const d = screenshotDir();
  mkdirSync(d, { recursive: true });
  const path = join(d, name);
  console.log(`screenshot: ${path}`);
  return path;
}
