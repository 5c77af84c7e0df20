/**
 * tfjs-core registers no gradient functions by itself: the union package `@tensorflow/tfjs` does it
 * by importing `@tensorflow/tfjs-core/dist/register_all_gradients`. The benches that time backward
 * passes (tf.grad, tf.variableGrads) import that module here.
 *
 * A bundler (the GPU host's esbuild bundle) resolves the import directly. Node's own ESM loader
 * cannot load tfjs-core's `dist/*.js` (their relative imports have no file extensions), so under
 * `pnpm bench` (tsx) that one module is bundled once with esbuild into a cache file and imported
 * from there. That copy of the gradient code registers into tfjs's global gradient registry and
 * runs its ops on tfjs's global engine (tfjs keeps both on the global object so that several copies
 * of the library cooperate), so the gradients are exactly the stock ones.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '@saddle/nn';
import type * as TF from '@tensorflow/tfjs-core';

/** Registers tfjs-core's gradients (once); returns how. Throws if they cannot be loaded. */
export async function registerTfjsGradients(tf: typeof TF): Promise<'present' | 'import' | 'esbuild'> {
  if (tf.getGradient('Max')) return 'present';
  let how: 'import' | 'esbuild' = 'import';
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  } catch {
    how = 'esbuild';
    await import(pathToFileURL(await bundledGradients(tf.version_core)).href);
  }
  if (!tf.getGradient('Max')) throw new Error("tfjs: the gradient functions did not register (tf.getGradient('Max') is undefined)");
  return how;
}

async function bundledGradients(version: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const entry = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'register_all_gradients.js');
  const dir = join(tmpdir(), 'saddle-bench');
  const out = join(dir, `tfjs-core-${version}-gradients.mjs`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  // Not a literal specifier, so that a bundler of this file leaves esbuild (a native tool) alone.
  const name = 'esbuild';
  const esbuild = (await import(name)) as { build(o: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array }[] }> };
  const built = await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: out, write: false, logLevel: 'error' });
  await writeFileAtomic(out, built.outputFiles[0]!.contents);
  return out;
}
