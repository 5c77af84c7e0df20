/**
 * Entry point for the offline GPU host (bundled by ../shared/gpu/make-bundle.sh; see
 * docs/performance.md):
 *
 *   node .gpu/app.mjs all --out "$OUT" [--minutes 7.5] [--rehearse]    the one prepared command
 *       (benchmarks/gpu-run.sh wraps it): matmul and GAN benches, then the paper's GAN trained to
 *       a deadline and evaluated with the Table 1 protocol (gpu-run.ts)
 *   node .gpu/app.mjs bench matmul --out "$OUT" --commit SHA [options]  one bench
 *
 * The bench command is `pnpm bench` without the wasm backend (its .wasm files are not bundled) and
 * without touching docs/: results go to --out (required), and are rendered into the docs here with
 * `pnpm bench report <file.json>` once they are back.
 */
import { main } from './main.js';
import { ALL_USAGE, runAll } from './gpu-run.js';

const argv = process.argv.slice(2);
if (!argv.includes('--out') && !argv.some((a) => a.startsWith('--out='))) {
  process.stderr.write(`gpu-entry: --out DIR is required (the host returns the files written under $OUT)\n${ALL_USAGE}`);
  process.exit(2);
}
const run = argv[0] === 'all' ? runAll(argv.slice(1)) : main(argv, { docs: false });
run.then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${argv[0] === 'all' ? 'all' : 'bench'}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
