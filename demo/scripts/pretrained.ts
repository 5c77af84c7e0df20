/**
 * `pnpm demo:pretrained RUN`: writes the page's pre-trained start (demo/public/pretrained/, see
 * demo/src/pretrained.ts) from the run folder RUN of `pnpm gan train`, and prints its size (it must
 * stay under 2 MB: the page fetches it on a click).
 *
 * The file in the repo was made on the shared 2-core machine (wasm, one thread) with
 *
 *   pnpm gan train --preset quick --g-hidden 256,256 --d-units 96,96 --minutes 8 --device wasm --threads 1 --seed 1 --out /tmp/playgan-pretrained
 *   pnpm gan train --resume /tmp/playgan-pretrained --minutes 7 --threads 1
 *   pnpm demo:pretrained /tmp/playgan-pretrained
 *
 * The quick preset's networks narrowed (G 100-256-256-784, D maxout 96 x 2 - 96 x 2: 462,577
 * weights, 1.85 MB of f32) so that the file is small; the command line is stored in the file.
 */
import { statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '@saddle/gan';
import { PRETRAINED_PATH, encodePretrained } from '../src/pretrained.js';

const MAX_BYTES = 2 * 1024 * 1024;
const run = process.argv[2];
if (!run) {
  console.error('usage: pnpm demo:pretrained RUN (a run folder of pnpm gan train)');
  process.exit(2);
}
const snapshot = await loadCheckpoint(run);
const c = snapshot.meta.config;
const made = `pnpm gan train, preset ${c.preset} with G ${[c.generator.zDim, ...c.generator.hidden, c.generator.outDim].join('-')} and D maxout ${c.discriminator.units.map((u) => `${u}x${c.discriminator.pieces}`).join('-')}, seed ${c.seed}: ${snapshot.meta.totalIterations} iterations`;
const bytes = encodePretrained(snapshot, made);
if (bytes.length > MAX_BYTES) throw new Error(`${bytes.length} bytes is over the 2 MB the page should fetch: train narrower networks`);
const out = fileURLToPath(new URL(`../public/${PRETRAINED_PATH}`, import.meta.url));
writeFileSync(out, bytes);
console.log(`wrote ${out}: ${statSync(out).size} bytes; ${made}`);
