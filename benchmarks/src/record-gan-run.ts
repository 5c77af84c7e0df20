/**
 * Records a finished GAN training run in benchmarks/results/: what issue 4 asks of every long run
 * (device, commit, date, epochs, wall time, iteration time, the Parzen estimate), read off the run
 * folder that `pnpm gan train` wrote and `pnpm gan eval` completed.
 *
 *   pnpm exec tsx benchmarks/src/record-gan-run.ts RUN [--wall SECONDS] [--commit SHA] [--note TEXT] [--looks TEXT] [--out FILE]
 *
 * RUN is the run folder (config.json, metrics.jsonl, parzen.json when evaluated). --wall is the
 * whole command's wall time as measured outside it (`time pnpm gan train`); --looks says what the
 * samples grid shows (judged by eye: nothing here can); --commit names the commit the run trained at
 * when it is not the checkout's HEAD (the default). The file is written atomically, named
 * gan-train-<adapter>-<run folder name>.json unless --out says otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '@saddle/nn';
import { readMetrics, RUN_FILES, type EpochRecord } from '@saddle/gan';
import { adapterKind, ganRunRecord, type ParzenFile, type RunMeta } from './gan-run-record.js';
import { gitInfo, repoRoot } from './git.js';

const root = repoRoot(dirname(fileURLToPath(import.meta.url)));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { wall: { type: 'string' }, commit: { type: 'string' }, note: { type: 'string' }, looks: { type: 'string' }, out: { type: 'string' } },
});
const run = positionals[0];
if (!run) {
  console.error('usage: record-gan-run.ts RUN [--wall SECONDS] [--commit SHA] [--note TEXT] [--looks TEXT] [--out FILE]');
  process.exit(2);
}
const dir = resolve(run);
/** The path of the run folder's file `name`, which must exist. */
const need = (name: string) => {
  const f = join(dir, name);
  if (!existsSync(f)) throw new Error(`${f} is missing: is ${dir} a run folder written by \`pnpm gan train\`?`);
  return f;
};

const config = JSON.parse(readFileSync(need(RUN_FILES.config), 'utf8')) as RunMeta;
need(RUN_FILES.metrics);
const epochs: EpochRecord[] = await readMetrics(dir);
const parzenFile = join(dir, 'parzen.json');
const parzen = existsSync(parzenFile) ? (JSON.parse(readFileSync(parzenFile, 'utf8')) as ParzenFile) : null;
const { commit, dirty } = gitInfo(root, ['packages'], values.commit);
const record = ganRunRecord({
  what: 'a `pnpm gan train` run, recorded from its run folder (benchmarks/src/record-gan-run.ts)',
  run: basename(dir),
  meta: config,
  epochs,
  parzen,
  commit,
  dirty,
  wallSeconds: values.wall === undefined ? null : Number(values.wall),
  looks: values.looks ?? null,
  note: values.note ?? null,
});
const adapter = adapterKind(config);
const iterations = record.iterations;
const out = values.out ?? join(root, 'benchmarks/results', `gan-train-${adapter}-${basename(dir)}.json`);
await writeJsonAtomic(out, record);
console.log(
  `wrote ${out}: ${epochs.length} epoch(s), ${iterations} iterations, ${record.msPerIteration} ms/it` +
    (parzen ? `, Parzen ${parzen.mean.toFixed(1)} ± ${parzen.stdErr.toFixed(1)}` : ''),
);
