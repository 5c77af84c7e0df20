/**
 * One writer per run folder: two real `gan train` processes on one --out, started at once, or a
 * `--force` and a `--resume` while a run is training there, and only one of them writes. A lock
 * left by a killed process is taken over, and what that process left behind (temporary files,
 * tensor files no checkpoint names) is removed by the next --resume / --force.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from './fixtures/run-cli.js';
import { RUN_FILES, loadCheckpoint } from '../src/run/run-folder.js';
import { LOCK_FILE, RunInUseError, lockRun } from '../src/run/run-lock.js';
import { GAN_CLI, REPO_ROOT, tinyRunFlags } from './support/tiny-run.js';

const root = mkdtempSync(join(tmpdir(), 'gan-run-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cli = GAN_CLI;
const repo = REPO_ROOT;

/** A tiny run; with 50 epochs it is still training when the others start (and is stopped by SIGINT). */
const tiny = (seed: number, out: string, epochs = 50) => tinyRunFlags(out, { epochs, seed });

interface Proc {
  pid: number;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: (s: NodeJS.Signals) => void;
  /** Resolves when the output matches `re`. */
  waitFor: (re: RegExp) => Promise<void>;
}

function gan(args: readonly string[]): Proc {
  const proc = spawn(process.execPath, ['--import', 'tsx', cli, 'train', ...args], {
    cwd: repo,
    env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: Array<[RegExp, () => void]> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const [re, resolve] of waiters) if (re.test(out)) resolve();
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    pid: proc.pid!,
    out: () => out,
    exited,
    kill: (s) => proc.kill(s),
    waitFor: (re) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(out)) return resolve();
        waiters.push([re, resolve]);
        void exited.then(({ code }) => reject(new Error(`exited (${code}) before printing ${re}:\n${out}`)));
      }),
  };
}

/** The folder holds one run: config.json and the checkpoint agree, one tensors file, no lock, no temporary file. */
async function expectOneRun(dir: string, seed: number): Promise<void> {
  const config = JSON.parse(readFileSync(join(dir, RUN_FILES.config), 'utf8'));
  const { meta } = await loadCheckpoint(dir);
  expect(config.config.seed).toBe(seed);
  expect(meta.config.seed).toBe(seed);
  const files = readdirSync(dir);
  expect(files.filter((f) => f.endsWith('.safetensors'))).toEqual([JSON.parse(readFileSync(join(dir, RUN_FILES.checkpoint), 'utf8')).tensors]);
  expect(files.filter((f) => f.endsWith('.tmp') || f === LOCK_FILE)).toEqual([]);
}

describe('two gan train processes on one run folder', () => {
  it('started at once: one trains, the other is refused naming the first', async () => {
    const dir = join(root, 'at-once');
    const a = gan(tiny(1, dir));
    const b = gan(tiny(2, dir));
    // The loser exits at once; the winner trains until stopped.
    const first = await Promise.race([a.exited.then((e) => ({ ...e, p: a, other: b })), b.exited.then((e) => ({ ...e, p: b, other: a }))]);
    const ctx = `A (pid ${a.pid}):\n${a.out()}\nB (pid ${b.pid}):\n${b.out()}`;
    expect(first.code, ctx).toBe(1);
    expect(first.p.out(), ctx).toMatch(
      new RegExp(
        `the run folder ${dir} is in use by process ${first.other.pid} on ${hostname()} \\(\`gan train .*--seed ${first.p === a ? 2 : 1} .*\`, since .*\\); wait for it to finish or stop it \\(kill ${first.other.pid}\\)`,
      ),
    );
    expect(first.p.out(), ctx).not.toMatch(/\n\s+at /);
    await first.other.waitFor(/epoch 1\/50/);
    first.other.kill('SIGINT');
    expect((await first.other.exited).code, ctx).toBe(130);
    await expectOneRun(dir, first.p === a ? 2 : 1);
  }, 240_000);

  it('a new train, --force and --resume while a run trains there are refused, and the run goes on unharmed', async () => {
    const dir = join(root, 'busy');
    const a = gan(tiny(1, dir));
    await a.waitFor(/epoch 1\/50/);
    while (!existsSync(join(dir, RUN_FILES.checkpoint))) await new Promise((r) => setTimeout(r, 50));
    // The folder now holds run files: a new train is still told the run is in use (not that it
    // is a finished run to --resume), since the run files are looked at only under the lock.
    const plain = gan(tiny(2, dir, 20));
    const force = gan([...tiny(2, dir, 20), '--force']);
    const resume = gan(['--resume', dir, '--device', 'cpu', '--no-progress']);
    const [n, f, r] = await Promise.all([plain.exited, force.exited, resume.exited]);
    const ctx = `A:\n${a.out()}\nnew:\n${plain.out()}\n--force:\n${force.out()}\n--resume:\n${resume.out()}`;
    for (const [e, p] of [
      [n, plain],
      [f, force],
      [r, resume],
    ] as const) {
      expect(e.code, ctx).toBe(1);
      expect(p.out(), ctx).toMatch(new RegExp(`in use by process ${a.pid} on ${hostname()} \\(\`gan train --preset tiny .*--seed 1 .*\``));
    }
    a.kill('SIGINT');
    expect((await a.exited).code, ctx).toBe(130);
    await expectOneRun(dir, 1);
    // Now free: a resume works (and takes the lock).
    const again = await run('train', '--resume', dir, '--device', 'cpu', '--no-progress', '--epochs', String((await loadCheckpoint(dir)).meta.epoch + 1));
    expect(again.code, again.err).toBe(0);
    await expectOneRun(dir, 1);
  }, 240_000);
});

describe('a lock left behind', () => {
  /** The pid of a process that has exited. */
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

  it('by a killed process is taken over with a notice; its temporary and orphan files are removed by --resume', async () => {
    const dir = join(root, 'stale');
    const first = await run('train', ...tiny(3, dir, 1));
    expect(first.code, first.err).toBe(0);
    const pid = deadPid();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), command: 'gan train --seed 3', since: '2026-01-01T00:00:00.000Z' }));
    // What a SIGKILL in the middle of the epoch files and a checkpoint leaves.
    const leftovers = [
      `.${RUN_FILES.curves}.${pid}.0a1b2c3d.tmp`,
      `.checkpoint-e0002-i000000.safetensors.${pid}.deadbeef.tmp`,
      'checkpoint-e0002-i000000.safetensors',
    ];
    for (const f of leftovers) writeFileSync(join(dir, f), 'partial');
    // A write in progress by a live process (this one) is not a leftover.
    const live = `.parzen.json.${process.pid}.12345678.tmp`;
    writeFileSync(join(dir, live), '{');
    const r = await run('train', '--resume', dir, '--device', 'cpu', '--no-progress', '--epochs', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(
      `${dir} was locked by process ${pid} on ${hostname()} (\`gan train --seed 3\`, since 2026-01-01T00:00:00.000Z), which is no longer running: taking the lock over`,
    );
    expect(r.err).toContain(`removed 3 file(s) an interrupted run left in ${dir}: ${[...leftovers].sort().join(', ')}`);
    expect(readdirSync(dir)).toContain(live);
    rmSync(join(dir, live));
    await expectOneRun(dir, 3);
    expect((await loadCheckpoint(dir)).meta.epoch).toBe(2);
  }, 120_000);

  it("--force removes a killed run's temporary files too; a lock from another host is never taken over", async () => {
    const dir = join(root, 'other-host');
    mkdirSync(dir);
    writeFileSync(join(dir, `.${RUN_FILES.config}.${deadPid()}.0badc0de.tmp`), '{');
    const owner = { pid: process.pid, host: `not-${hostname()}`, command: 'gan train --seed 9', since: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(owner));
    const refused = await run('train', ...tiny(4, dir, 1), '--force');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`in use by process ${process.pid} on not-${hostname()} .*kill ${process.pid} on not-${hostname()}\\)`));
    rmSync(join(dir, LOCK_FILE));
    const forced = await run('train', ...tiny(4, dir, 1), '--force');
    expect(forced.code, forced.err).toBe(0);
    await expectOneRun(dir, 4);
  }, 120_000);

  it('--resume refuses a folder whose config.json and checkpoint describe different runs', async () => {
    // What two writers without a lock left: config.json of a seed-2 run beside a seed-1 checkpoint.
    const dir = join(root, 'mixed');
    expect((await run('train', ...tiny(1, dir, 1))).code).toBe(0);
    const path = join(dir, RUN_FILES.config);
    const config = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...config, config: { ...config.config, seed: 2, epochs: 20 } }));
    const r = await run('train', '--resume', dir, '--device', 'cpu', '--no-progress', '--epochs', '2');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `gan: train: ${dir} holds two runs: config.json and the checkpoint disagree on seed (2 vs 1); expected one run per folder: start a new run with --force, or restore the folder`,
    );
    expect((await loadCheckpoint(dir)).meta.epoch).toBe(1);
    // Only the fields a resume may change differ: resumed as usual.
    writeFileSync(path, JSON.stringify({ ...config, config: { ...config.config, epochs: 20 } }));
    expect((await run('train', '--resume', dir, '--device', 'cpu', '--no-progress', '--epochs', '2')).code).toBe(0);
  }, 120_000);

  it('lockRun: a second lock in the same live process is refused; release removes it', () => {
    const dir = join(root, 'direct');
    mkdirSync(dir);
    const lock = lockRun(dir, 'first');
    expect(() => lockRun(dir, 'second')).toThrow(RunInUseError);
    expect(() => lockRun(dir, 'second')).toThrow(/in use by process \d+ on .* \(`first`/);
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(join(dir, LOCK_FILE), '');
    expect(() => lockRun(dir, 'third')).toThrow(/is locked \(train\.lock exists but cannot be read\); if no `gan train` is writing there, remove /);
  });
});
