/**
 * `gan train` as a process, stopped at random moments: SIGINT and SIGTERM stop it after the current
 * iteration with a checkpoint, exit 130 / 143 and print the resume command (on the cpu device too,
 * whose epoch loop never waits on anything); SIGKILL leaves the last checkpoint. Resumed until
 * done, every such run ends with the checkpoint of a run never stopped, bit for bit.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { RUN_FILES, loadCheckpoint } from '../src/run/run-folder.js';
import type { TrainerSnapshot } from '../src/train/checkpoint-state.js';
import { randomNumbers } from '../../../test/support/random-data.js';

const root = mkdtempSync(join(tmpdir(), 'gan-interrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/**
 * Runs `gan train args` as its own process; once it has printed the network line (its signal
 * handlers are installed in the same synchronous stretch), waits `delayMs` and sends `signal`.
 */
function train(args: readonly string[], signal?: NodeJS.Signals, delayMs = 0): Promise<Exit> {
  const proc = spawn(process.execPath, ['--import', 'tsx', cli, 'train', ...args], {
    cwd: repo,
    env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let sent = false;
  const onData = (d: Buffer) => {
    out += d.toString();
    if (signal && !sent && /iterations per epoch/.test(out)) {
      sent = true;
      setTimeout(() => proc.kill(signal), delayMs);
    }
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code, sig) => resolve({ code, signal: sig, out }));
  });
}

const bytesOf = (s: TrainerSnapshot) =>
  Object.fromEntries(Object.entries(s.tensors).map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64')]));
const losses = (s: TrainerSnapshot) => s.meta.history.map((r) => [r.epoch, r.iterations, r.dLoss, r.gLoss, r.dReal, r.dFake, r.value]);

describe.each([
  ['cpu', ['SIGINT', 'SIGTERM', 'SIGKILL'] as NodeJS.Signals[]],
  ['webgpu', ['SIGINT'] as NodeJS.Signals[]],
])('gan train on %s, stopped at random moments by %j in turn, resumed each time', (device, signals) => {
  // 60 iterations per epoch, 2 epochs: a few seconds of training on either device. With the process
  // start-ups (tsx, MNIST), the cpu case took 58 s at load 15 and ~150 s at load 30 on a shared
  // 2-core machine.
  const flags = [
    '--preset',
    'tiny',
    '--device',
    device,
    '--no-progress',
    '--train-n',
    '600',
    '--val-n',
    '50',
    '--epochs',
    '2',
    '--log-every',
    '7',
    '--seed',
    '11',
  ];

  it('ends with the checkpoint and the losses of the run never stopped, bit for bit', async () => {
    const refDir = join(root, `${device}-reference`);
    const refOut: string[] = [];
    expect(await main(['train', ...flags, '--out', refDir], { out: (l) => refOut.push(l), err: (l) => refOut.push(l), progress: false })).toBe(0);
    const reference = await loadCheckpoint(refDir);
    expect(reference.meta.epoch).toBe(2);

    // The random moments: delays after the process is ready, repeatable from the seed shown on failure.
    const seed = Date.now() >>> 0;
    const delays = randomNumbers(signals.length, seed, 0, device === 'cpu' ? 1500 : 2500);
    const dir = join(root, device);
    const log: string[] = [`seed ${seed}`];
    const pending = [...signals];
    for (let attempt = 0; attempt < 2 * signals.length + 2; attempt++) {
      const resumable = existsSync(join(dir, RUN_FILES.checkpoint));
      // A SIGKILL before the first checkpoint leaves none: start again (--force: config.json is there).
      const args = resumable ? ['--resume', dir, '--device', device, '--no-progress'] : [...flags, '--out', dir, ...(attempt > 0 ? ['--force'] : [])];
      const signal = pending.shift();
      const delay = signal ? Math.floor(delays[signals.length - pending.length - 1]!) : 0;
      const t0 = performance.now();
      const r = await train(args, signal, delay);
      log.push(
        `[${((performance.now() - t0) / 1000).toFixed(1)} s] attempt ${attempt}: ${resumable ? 'resume' : 'start'}, ${signal ? `${signal} after ${delay} ms` : 'no signal'} -> code ${r.code} signal ${r.signal}`,
      );
      const ctx = `${log.join('\n')}\n${r.out}`;
      if (r.code === 0) {
        expect(r.out, ctx).toMatch(/stopped \(2 epochs done\)/);
        if (pending.length === 0) break;
        continue;
      }
      if (signal === 'SIGKILL') {
        expect(r.signal, ctx).toBe('SIGKILL');
        continue;
      }
      if (r.signal !== null) {
        // The default action: the signal came once training had finished (its handlers removed).
        expect((await loadCheckpoint(dir)).meta.epoch, ctx).toBe(2);
        continue;
      }
      expect(r.code, ctx).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(r.out, ctx).toMatch(new RegExp(`${signal}: stopping after this iteration`));
      expect(r.out, ctx).toMatch(/stopped \(interrupted\)/);
      const { meta } = await loadCheckpoint(dir);
      if (meta.epoch < 2) expect(r.out, ctx).toContain(`continue with: pnpm gan train --resume ${dir}`);
      // The checkpoint is where the run stopped: after the partial epoch's last iteration.
      const partial = /epoch (\d+)\/2 \(partial\): (\d+) it/.exec(r.out);
      if (partial) expect([meta.epoch + 1, meta.iterInEpoch], ctx).toEqual([Number(partial[1]), Number(partial[2])]);
    }
    const got = await loadCheckpoint(dir);
    const ctx = log.join('\n');
    expect(pending, ctx).toEqual([]);
    expect(got.meta.epoch, ctx).toBe(2);
    expect(losses(got), ctx).toEqual(losses(reference));
    expect(bytesOf(got), ctx).toEqual(bytesOf(reference));
    expect(readFileSync(join(dir, RUN_FILES.metrics), 'utf8').trim().split('\n'), ctx).toHaveLength(2);
  }, 600_000);
});

describe('pnpm gan', () => {
  it('runs the CLI in node itself: no tsx parent process, which SIGKILLs a child that does not answer a signal within 60 ms', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    expect(pkg.scripts.gan).toBe('node --import tsx packages/gan/src/cli/main.ts');
  });
});
