/**
 * `pnpm bench` (tsx, from the repository root): runs benches against TensorFlow.js and writes
 * benchmarks/results/<bench>-<device>-<date>.{json,md,svg} and the table in docs/performance.md.
 */
import { main } from './main.js';
import { loadTfjsWasm } from './tfjs-wasm-module.js';

main(process.argv.slice(2), {
  loadWasm: loadTfjsWasm,
  docs: true,
}).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
