/**
 * Each library package's browser entry bundles for a browser with esbuild's defaults (platform
 * browser, no externals, no polyfills) and pulls in no Node builtin. The entry is found the way a
 * bundler finds it: through the package's own `exports` (the "source" condition picks src/ over
 * dist/, so no build is needed), and so are the packages it depends on.
 */
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['tensor', 'kernels-wasm', 'ops', 'autograd', 'nn', 'gan', 'all'];

interface Bundled {
  builtins: string[];
  errors: string[];
  bytes: number;
}

/** Bundles `@saddle/<name>` as `import * as lib from '@saddle/<name>'` would in a page. */
async function bundle(name: string, conditions: string[]): Promise<Bundled> {
  const builtins: string[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path)) return undefined;
        builtins.push(`${args.path} (imported by ${args.importer.replace(root, '')})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    stdin: { contents: `export * from '@saddle/${name}';`, resolveDir: `${root}packages/${name}`, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions,
    logLevel: 'silent',
    plugins: [recordBuiltins],
  }).catch((e: { errors?: { text: string }[] }) => ({ errors: e.errors ?? [{ text: String(e) }], outputFiles: [] as { contents: Uint8Array }[] }));
  return {
    builtins,
    errors: result.errors.map((e) => e.text),
    bytes: result.outputFiles?.reduce((n, f) => n + f.contents.length, 0) ?? 0,
  };
}

describe('browser bundles', () => {
  for (const name of PACKAGES) {
    it(`@saddle/${name} bundles for the browser with no Node builtin`, async () => {
      const b = await bundle(name, ['source']);
      expect(b.errors).toEqual([]);
      expect(b.builtins).toEqual([]);
      expect(b.bytes).toBeGreaterThan(1000);
    });
  }

  // What a published package ships: dist/ (present after `pnpm build`, which .ci/run runs first).
  const built = PACKAGES.every((name) => existsSync(`${root}packages/${name}/dist/index.js`));
  it.skipIf(!built)('the built dist/ entries bundle for the browser with no Node builtin too', async () => {
    for (const name of PACKAGES) {
      const b = await bundle(name, []);
      expect(b.errors, name).toEqual([]);
      expect(b.builtins, name).toEqual([]);
    }
  });

  it('the check sees builtins: the Node entries (the "node" condition) do pull them in', async () => {
    for (const name of ['tensor', 'kernels-wasm', 'nn', 'gan']) {
      const b = await bundle(name, ['source', 'node']);
      expect(b.builtins.length, name).toBeGreaterThan(0);
    }
  });
});
