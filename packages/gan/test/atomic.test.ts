import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from '../src/io/atomic.js';

const root = mkdtempSync(join(tmpdir(), 'saddle-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => {
  const d = join(root, `case${counter++}`);
  mkdirSync(d);
  return d;
};
const child = fileURLToPath(new URL('./fixtures/atomic-child.ts', import.meta.url));

describe('writeFileAtomic', () => {
  it('writes bytes, text and chunk streams, replacing the old file, leaving nothing else', async () => {
    const dir = freshDir();
    const path = join(dir, 'out.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, 'héllo');
    expect(readFileSync(path, 'utf8')).toBe('héllo');
    async function* parts() {
      yield 'a';
      yield new Uint8Array([0x62]);
      yield 'c';
    }
    await writeFileAtomic(path, parts());
    expect(readFileSync(path, 'utf8')).toBe('abc');
    await writeFileAtomic(path, ['x', 'y']);
    expect(readFileSync(path, 'utf8')).toBe('xy');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('writeJsonAtomic writes pretty JSON and refuses what JSON cannot hold, keeping the old file', async () => {
    const dir = freshDir();
    const path = join(dir, 'state.json');
    await writeJsonAtomic(path, { epoch: 3, losses: [0.5, 0.25] });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "epoch": 3,\n  "losses": [\n    0.5,\n    0.25\n  ]\n}\n');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(writeJsonAtomic(path, cyclic)).rejects.toThrow(/circular/);
    await expect(writeJsonAtomic(path, undefined)).rejects.toThrow(/not JSON-serialisable/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ epoch: 3, losses: [0.5, 0.25] });
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('leaves the old file intact, and no temporary file, when the data source fails mid-write', async () => {
    const dir = freshDir();
    const path = join(dir, 'ckpt');
    writeFileSync(path, 'old contents');
    async function* failing() {
      yield new Uint8Array(100_000).fill(1);
      throw new Error('generator died');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('generator died');
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(dir)).toEqual(['ckpt']);
  });

  it('leaves the old file intact when the disk refuses the write half way (file size limit)', () => {
    const dir = freshDir();
    const path = join(dir, 'ckpt');
    writeFileSync(path, 'old contents');
    // ulimit -f 256: writes past 256 KiB fail with EFBIG; the child writes 16 × 64 KiB.
    const out = execFileSync('bash', ['-c', `ulimit -f 256; exec "${process.execPath}" --import tsx "${child}" "${path}" 16`], { encoding: 'utf8' });
    expect(out).toMatch(/write failed: EFBIG/);
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(dir)).toEqual(['ckpt']);
    // Without the limit the same child succeeds.
    const ok = execFileSync(process.execPath, ['--import', 'tsx', child, path, '16'], { encoding: 'utf8' });
    expect(ok).toMatch(/write succeeded/);
    expect(readFileSync(path).length).toBe(16 * 65536);
  });

  it('leaves the old file intact when the process is killed mid-write', async () => {
    const dir = freshDir();
    const path = join(dir, 'ckpt');
    writeFileSync(path, 'old contents');
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path, 'forever'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      proc.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('started')) resolve();
      });
    });
    proc.removeAllListeners('exit');
    const exited = new Promise((r) => proc.on('exit', (_code, signal) => r(signal)));
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    // The half-written temporary file is left beside it, never in its place.
    const files = readdirSync(dir).sort();
    expect(files[0]).toMatch(/^\.ckpt\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(files.slice(1)).toEqual(['ckpt']);
    expect(readFileSync(join(dir, files[0]!)).length).toBeGreaterThan(0);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(root, 'missing', 'x'), 'data')).rejects.toThrow(/ENOENT/);
  });
});
