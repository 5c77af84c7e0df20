import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { webgpu } from '../support/devices.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = (extra: Record<string, string> = {}) => {
  const e: Record<string, string | undefined> = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', ...extra };
  if (!('SADDLE_VERBOSE' in extra)) delete e.SADDLE_VERBOSE;
  return e;
};
/**
 * Runs node with `args` and returns what it wrote to stderr, which is a file, as in `2>log`: a
 * terminal or a shell pipe works the same, but not the Unix socket Node gives a child's piped
 * stdio (it cannot be reopened, so saddle leaves such a stderr alone).
 */
const run = (args: string[], extra?: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'saddle-stderr-'));
  const file = join(dir, 'stderr');
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(process.execPath, args, { cwd: root, env: env(extra), stdio: ['ignore', 'ignore', fd] });
    const stderr = readFileSync(file, 'utf8');
    expect(r.status, stderr).toBe(0);
    return stderr;
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
};

/** What Dawn itself prints to stderr on its first adapter request, without saddle. */
function dawnAlone(): string {
  const dawn = pathToFileURL(createRequire(`${root}packages/tensor/package.json`).resolve('webgpu')).href;
  const script = `const { create, globals } = await import(${JSON.stringify(dawn)}); Object.assign(globalThis, globals);
    const a = await create([]).requestAdapter(); (await a.requestDevice()).destroy();`;
  return run(['--input-type=module', '-e', script]);
}

describe("Dawn's start-up warnings in Node", () => {
  it('are not printed unless SADDLE_VERBOSE is set, and stderr works afterwards', async () => {
    const warnings = dawnAlone()
      .split('\n')
      .filter((l) => l.startsWith('Warning:'));
    // lavapipe and SwiftShader report limits larger than Dawn's: Dawn warns about them.
    if ((await webgpu()).software) expect(warnings.length).toBeGreaterThan(0);
    const fixture = 'test/tensor/fixtures/start-webgpu.ts';
    const quiet = run(['--import', 'tsx', fixture]);
    for (const w of warnings) expect(quiet).not.toContain(w);
    expect(quiet).toMatch(/^stderr after webgpu/m);
    const verbose = run(['--import', 'tsx', fixture], { SADDLE_VERBOSE: '1' });
    for (const w of warnings) expect(verbose).toContain(w);
    expect(verbose).toMatch(/^stderr after webgpu/m);
  }, 120_000);
});
