/**
 * `gan train` never loses or replaces what a user saved: misused flags are refused before MNIST
 * loads and leave no run folder; an existing run is refused unless --resume or --force; a resume
 * keeps config.json; a diverging run stops non-zero and keeps the last finite checkpoint.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from './fixtures/run-cli.js';
import { RESUMES_FILE, RUN_FILES, loadCheckpoint, readMetrics } from '../src/run/run-folder.js';
import { nonFiniteTensors } from '../src/train/checkpoint-state.js';
import { loadSafetensors, saveSafetensors } from '@saddle/nn';

const root = mkdtempSync(join(tmpdir(), 'gan-cli-reliability-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file of a folder, as bytes (base64), to show it unchanged. */
const contents = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
const tiny = ['--preset', 'tiny', '--device', 'cpu', '--no-progress'];

describe('gan train refuses, before loading anything, what it cannot do as asked', () => {
  it.each([
    [['--train-n', '999999'], /--train-n 999999: MNIST's training split has 50000 images.*expected at most 50000/],
    [['--val-n', '20000'], /--val-n 20000: MNIST's validation split has 10000 images/],
    [['--batch', '500', '--train-n', '100'], /--batch 500 takes 500 training images per iteration; --train-n is 100: expected --train-n >= 500/],
    [['--batch', '30', '--k', '4', '--train-n', '100'], /--batch 30 with --k 4 takes 120 training images per iteration/],
  ])('%j: a usage error, no MNIST load, no run folder', async (flags, message) => {
    const out = join(root, `refused-${flags.join('')}`);
    const r = await run('train', ...tiny, ...flags, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).not.toMatch(/MNIST loaded/);
    expect(existsSync(out)).toBe(false);
  });

  it('--out naming a file, or a folder whose parent is missing, is a clear usage error', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'mine');
    const r1 = await run('train', ...tiny, '--out', file);
    expect(r1.code).toBe(2);
    expect(r1.err).toMatch(/--out .*a-file is a file; expected a folder/);
    expect(readFileSync(file, 'utf8')).toBe('mine');
    const r2 = await run('train', ...tiny, '--out', join(root, 'missing', 'run'));
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/the folder .*missing does not exist; create it first/);
    expect(existsSync(join(root, 'missing'))).toBe(false);
    const r3 = await run('train', ...tiny, '--out', join(file, 'run'));
    expect(r3.code).toBe(2);
    expect(r3.err).toMatch(/a-file is a file, not a folder/);
    for (const r of [r1, r2, r3]) expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('an existing run', () => {
  const dir = join(root, 'run');
  const flags = [...tiny, '--train-n', '100', '--val-n', '20', '--epochs', '1', '--seed', '4', '--out', dir];

  it('is refused by a new train --out unless --force, and stays byte for byte as it was', async () => {
    expect((await run('train', ...flags)).code).toBe(0);
    const before = contents(dir);
    const again = await run('train', ...flags);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(
      /already holds a run \(checkpoint-e0001-i000000\.safetensors, checkpoint\.json, config\.json, \.\.\.\); continue it with --resume .*, or replace it with --force/,
    );
    expect(contents(dir)).toEqual(before);
    // A file of the user's own in the folder survives --force; the run's files are replaced.
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const forced = await run('train', ...flags, '--force', '--seed', '5');
    expect(forced.code, forced.err).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(JSON.parse(readFileSync(join(dir, RUN_FILES.config), 'utf8')).config.seed).toBe(5);
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors'))).toHaveLength(1);
    expect((await run('train', '--resume', dir, '--force')).err).toMatch(/--force replaces a run and --resume continues one/);
  });

  it('--resume keeps config.json (the original command line) and records the resume in resumes.jsonl', async () => {
    const config = readFileSync(join(dir, RUN_FILES.config), 'utf8');
    const r = await run('train', '--resume', dir, '--epochs', '2', '--device', 'cpu', '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(dir, RUN_FILES.config), 'utf8')).toBe(config);
    expect(JSON.parse(config).command).toMatch(/^gan train --preset tiny .*--force --seed 5$/);
    const resumes = readFileSync(join(dir, RESUMES_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(resumes).toHaveLength(1);
    expect(resumes[0].command).toBe(`gan train --resume ${dir} --epochs 2 --device cpu --no-progress`);
    expect(resumes[0].resumedAt).toEqual({ epoch: 1, iteration: 0 });
    expect(resumes[0].config.epochs).toBe(2);
  });
});

describe('a diverging run', () => {
  it('stops with a non-zero exit naming the iterations, keeping the last finite checkpoint exactly', async () => {
    // The reproducer: --lr 30 diverges within a few epochs.
    const dir = join(root, 'diverging');
    const flags = [...tiny, '--train-n', '20', '--lr', '30', '--seed', '1'];
    const r = await run('train', ...flags, '--epochs', '30', '--out', dir);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/training diverged: non-finite .* in iterations? \d+(-\d+)? of the run \(epoch \d+, iteration \d+ of the epoch\)/);
    expect(r.err).toMatch(/the last finite checkpoint \(after epoch \d+\) .* kept in /);
    expect(r.err).not.toMatch(/\n\s+at /);
    const { tensors, meta } = await loadCheckpoint(dir);
    expect(nonFiniteTensors(tensors)).toEqual([]);
    const epochs = meta.epoch;
    expect(epochs).toBeGreaterThan(0);
    expect(epochs).toBeLessThan(30);
    const metrics = await readMetrics(dir);
    expect(metrics.map((m) => m.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    for (const m of metrics) expect([m.dLoss, m.gLoss].every(Number.isFinite)).toBe(true);
    // The same run stopped after that many epochs has the same checkpoint, bit for bit.
    const ref = join(root, 'diverging-ref');
    expect((await run('train', ...flags, '--epochs', String(epochs), '--out', ref)).code).toBe(0);
    const want = await loadCheckpoint(ref);
    for (const name of Object.keys(want.tensors)) expect(Array.from(tensors[name]!.data), name).toEqual(Array.from(want.tensors[name]!.data));
  });
});

describe('file system errors', () => {
  it('a run folder the system refuses to create is an error message naming it and what to do, not a stack', async () => {
    // /sys exists and is a folder, but nobody (root included) may make a folder in it.
    const r = await run('train', ...tiny, '--train-n', '100', '--epochs', '1', '--out', '/sys/saddle-gan-run');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^gan: create: cannot create the run folder \(\/sys\/saddle-gan-run\): permission denied \((EPERM|EACCES)\); make \/sys writable for this user, or choose a folder you can write to$/,
    );
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('a checkpoint whose tensors are not what a trainer saves', () => {
  it('NaN values or an f64 tensor are refused by --resume, naming the file and the tensor; the folder is unchanged', async () => {
    const dir = join(root, 'odd-checkpoint');
    expect((await run('train', ...tiny, '--train-n', '100', '--val-n', '20', '--epochs', '1', '--out', dir)).code).toBe(0);
    const path = join(dir, JSON.parse(readFileSync(join(dir, RUN_FILES.checkpoint), 'utf8')).tensors);
    const { tensors, metadata } = await loadSafetensors(path);
    const name = Object.keys(tensors).find((n) => n.startsWith('D.') && n.endsWith('weight'))!;
    const original = tensors[name]!;
    const resume = () => run('train', '--resume', dir, '--device', 'cpu', '--no-progress', '--epochs', '2');

    tensors[name] = { ...original, data: Float32Array.from(original.data, (v, i) => (i === 3 ? NaN : v)) };
    await saveSafetensors(path, tensors, metadata);
    let before = contents(dir);
    const nan = await resume();
    expect(nan.code).toBe(1);
    expect(nan.err).toContain(
      `gan: checkpoint: ${path}: tensor "${name}" (f32, shape [${original.shape.join(', ')}]) holds 1 non-finite value(s) (NaN or infinity), the first at index 3 (NaN)`,
    );
    expect(contents(dir)).toEqual(before);

    tensors[name] = { ...original, dtype: 'f64', data: Float64Array.from(original.data) };
    await saveSafetensors(path, tensors, metadata);
    before = contents(dir);
    const f64 = await resume();
    expect(f64.code).toBe(1);
    expect(f64.err).toContain(`gan: checkpoint: ${path}: tensor "${name}" is f64 in the file; expected f32`);
    expect(contents(dir)).toEqual(before);
  });
});
