/**
 * Every file-system failure names the user's path (the run folder or the file given) and what was
 * being written, and says what to do, never the hidden temporary file. Real failures: a file size
 * limit (`ulimit -f`, EFBIG) under the CLI anywhere; a full disk (ENOSPC) and a read-only folder
 * (EROFS) on small tmpfs mounts, which need root (CAP_SYS_ADMIN) and run where `mount` works.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSystemError, asFileSystemError, writeFileAtomic } from '../src/io/atomic.js';
import { runCli as run } from './fixtures/run-cli.js';
import { RUN_FILES, loadCheckpoint } from '../src/run/run-folder.js';
import { GAN_CLI, REPO_ROOT, tinyRunFlags } from './support/tiny-run.js';

const root = mkdtempSync(join(tmpdir(), 'gan-fs-errors-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(root, { recursive: true, force: true });
});
const cli = GAN_CLI;
const repo = REPO_ROOT;
const tiny = (out: string, epochs = 1) => tinyRunFlags(out, { epochs });

/** A tmpfs of `size` at a new folder (read-only with `ro`), or null where mounting is not allowed. */
function tmpfs(name: string, options: string): string | null {
  const dir = join(root, name);
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  if (r.status !== 0) return null;
  mounts.push(dir);
  return dir;
}
const canMount = (() => {
  const d = tmpfs('probe', 'size=64k');
  return d !== null;
})();

describe('a file-system error says which file, what it is, and what to do', () => {
  it.each([
    ['ENOSPC', /the disk is full \(ENOSPC\); free space on the disk that holds \/runs\/a \(df -h \/runs\/a\), or write elsewhere$/],
    ['EROFS', /\/runs\/a is on a read-only file system \(EROFS\); choose a folder on a writable disk$/],
    ['EACCES', /permission denied \(EACCES\); make \/runs\/a writable for this user, or choose a folder you can write to$/],
    ['EFBIG', /the file would pass the file size limit \(EFBIG\); raise the limit \(ulimit -f\) or write elsewhere$/],
    ['EDQUOT', /the disk quota is used up \(EDQUOT\)/],
    ['EIO', /input\/output error \(EIO\); check the disk/],
  ])('%s', (code, reason) => {
    // As Node reports it: the syscall and the temporary file's path.
    const e = Object.assign(new Error(`${code}: some text, write '/runs/a/.checkpoint.json.123.abcd1234.tmp'`), {
      code,
      syscall: 'write',
      path: '/runs/a/.checkpoint.json.123.abcd1234.tmp',
    });
    const f = asFileSystemError(e, 'write', '/runs/a/checkpoint.json', 'the checkpoint') as FileSystemError;
    expect(f).toBeInstanceOf(FileSystemError);
    expect(f.code).toBe(code);
    expect(f.message).toMatch(/^write: cannot write the checkpoint \(\/runs\/a\/checkpoint\.json\): /);
    expect(f.message).toMatch(reason);
    expect(f.message).not.toMatch(/\.tmp/);
    // Not a file-system error: passed on as it is.
    const other = new TypeError('x');
    expect(asFileSystemError(other, 'write', '/p')).toBe(other);
  });

  it('writeFileAtomic into a missing folder names the file, not its temporary', async () => {
    const target = join(root, 'missing', 'x.json');
    await expect(writeFileAtomic(target, '{}', 'the report')).rejects.toThrow(
      `write: cannot write the report (${target}): the folder ${join(root, 'missing')} does not exist (ENOENT); create it, or check that nothing removed it`,
    );
  });

  it('gan train under a file size limit: the checkpoint named, exit 1, no temporary file left', () => {
    const dir = join(root, 'efbig');
    // 100 KiB: config.json fits, the ~210 KB checkpoint does not.
    const r = spawnSync('bash', ['-c', `ulimit -f 100; exec "${process.execPath}" --import tsx "${cli}" train ${tiny(dir).join(' ')}`], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' },
    });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(
      `gan: write: cannot write the checkpoint's tensors (${dir}/checkpoint-e0001-i000000.safetensors): the file would pass the file size limit (EFBIG); raise the limit (ulimit -f) or write elsewhere`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at |\.tmp/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

describe.runIf(canMount)('on small tmpfs mounts (root: mount -t tmpfs)', () => {
  it('--out in a read-only folder says so, naming the folder', async () => {
    const ro = tmpfs('ro', 'ro,size=64k')!;
    const r = await run('train', ...tiny(join(ro, 'run')));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `gan: create: cannot create the run folder (${join(ro, 'run')}): ${ro} is on a read-only file system (EROFS); choose a folder on a writable disk`,
    );
  });

  it('a full disk names the file and the folder, and leaves a run that evaluates and resumes', async () => {
    // 320 KiB: the first epoch's files fit; the second checkpoint (written before the first is removed) does not.
    const disk = tmpfs('full', 'size=320k')!;
    const dir = join(disk, 'run');
    const r = await run('train', ...tiny(dir, 3));
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^gan: write: cannot write .* \\(${dir}/[^)]+\\): the disk is full \\(ENOSPC\\); free space on the disk that holds ${dir} \\(df -h ${dir}\\), or write elsewhere$`,
      ),
    );
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const { meta } = await loadCheckpoint(dir);
    expect(meta.epoch).toBeGreaterThanOrEqual(1);
    // The run is whole: it samples, and once there is space it resumes.
    const samples = join(root, 'samples.bin');
    expect((await run('sample', dir, '--n', '4', '--out', samples, '--device', 'cpu')).code).toBe(0);
    execFileSync('mount', ['-o', 'remount,size=2m', disk]);
    const resumed = await run('train', '--resume', dir, '--device', 'cpu', '--no-progress');
    expect(resumed.code, resumed.err).toBe(0);
    expect((await loadCheckpoint(dir)).meta.epoch).toBe(3);
    expect(existsSync(join(dir, RUN_FILES.config))).toBe(true);
  }, 120_000);
});
