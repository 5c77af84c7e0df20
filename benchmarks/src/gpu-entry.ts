/**
 * Entry point for the offline GPU host (bundled by ../shared/gpu/make-bundle.sh; see
 * docs/performance.md): `node .gpu/app.mjs bench matmul --out "$OUT" --commit SHA [options]`.
 * The same command as `pnpm bench`, without the wasm backend (its .wasm files are not bundled) and
 * without touching docs/: results go to --out (required), and are rendered into the docs here with
 * `pnpm bench report <file.json>` once they are back.
 */
import { main } from './main.js';

const argv = process.argv.slice(2);
if (!argv.includes('--out') && !argv.some((a) => a.startsWith('--out='))) {
  process.stderr.write('gpu-entry: --out DIR is required (the host returns the files written under $OUT)\n');
  process.exit(2);
}
main(argv, { docs: false }).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
