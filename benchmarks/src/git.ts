/**
 * The repository root and the commit a result was produced at, shared by the scripts that record
 * results (main.ts for `pnpm bench`, record-gan-run.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder upwards from `start` (default cwd) with pnpm-workspace.yaml (else `start`). */
export function repoRoot(start = process.cwd()): string {
  let d = resolve(start);
  for (;;) {
    if (existsSync(join(d, 'pnpm-workspace.yaml'))) return d;
    const up = dirname(d);
    if (up === d) return resolve(start);
    d = up;
  }
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * The commit to record and whether the checkout differs from it under `statusPaths`. With
 * `override` (a commit named on the command line): that commit, and `dirty: null` (unknown: the
 * checkout is not what ran). Otherwise HEAD (or 'unknown' outside git) and whether
 * `git status --porcelain -- statusPaths` lists anything (null when git cannot say).
 */
export function gitInfo(root: string, statusPaths: readonly string[], override?: string): { commit: string; dirty: boolean | null } {
  const commit = override ?? git(root, ['rev-parse', 'HEAD']) ?? 'unknown';
  const status = override ? null : git(root, ['status', '--porcelain', '--', ...statusPaths]);
  return { commit, dirty: status === null ? null : status.length > 0 };
}
