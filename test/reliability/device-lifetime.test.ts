/**
 * WebGPU devices come and go in a long-lived process (a test runner, a server, a notebook): creating
 * and destroying many, with the garbage collector running between them, must not crash the
 * process, and the process must end by itself afterwards. Run in a child process, since the crash
 * this guards against kills the whole process.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('WebGPU device lifetime', () => {
  it('30 devices created, used and destroyed with garbage collections between: no crash, and the process ends by itself', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/tensor/fixtures/device-churn.ts'], {
      cwd: root,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    const why = `status ${r.status}, signal ${r.signal}\n${r.stderr
      .split('\n')
      .filter((l) => !l.startsWith('Warning:'))
      .join('\n')}`;
    expect(r.signal, why).toBeNull();
    expect(r.status, why).toBe(0);
    expect(r.stdout).toContain('30 devices created and destroyed');
  }, 120_000);
});
