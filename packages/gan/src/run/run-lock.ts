/**
 * One writer per run folder. `gan train` (new, `--resume` or `--force`) holds `<run>/train.lock`
 * while it writes there; a second one on the same folder is refused with a message naming the
 * process that holds it.
 *
 * The lock is created atomically: its contents (pid, host, command, start time) are written to a
 * temporary file, which is then hard-linked to `train.lock`. link(2) fails with EEXIST if the lock
 * exists, so of two processes that try at once exactly one succeeds, and a lock that exists is
 * always complete (never an empty file from a process killed between create and write).
 *
 * A lock whose process is gone is stale: same host and `process.kill(pid, 0)` says no such process
 * (ESRCH). It is taken over (with a notice naming the dead process); a lock from another host is
 * never taken over, since its process cannot be checked from here.
 */
import { linkSync, readFileSync, rmdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SaddleError } from '@saddle/autograd';
import { asFileSystemError } from '../io/atomic.js';

/** The lock file's name in a run folder. */
export const LOCK_FILE = 'train.lock';

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** A held lock: `release()` removes it (idempotent; also done at process exit). */
export interface RunLock {
  readonly path: string;
  /** Set when a stale lock was taken over: the process that had left it. */
  readonly tookOver: LockOwner | null;
  /** Removes the lock file if this process still holds it. */
  release(): void;
}

/** Thrown when another live process holds the run folder. */
export class RunInUseError extends SaddleError {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner | null,
  ) {
    super(
      'train',
      owner
        ? `the run folder ${dir} is in use by process ${owner.pid} on ${owner.host} (\`${owner.command}\`, since ${owner.since}); ` +
            `wait for it to finish or stop it (kill ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}), then try again`
        : `the run folder ${dir} is locked (${LOCK_FILE} exists but cannot be read); if no \`gan train\` is writing there, remove ${join(dir, LOCK_FILE)}`,
    );
    this.name = 'RunInUseError';
  }
}

/** Whether process `pid` of this host is running (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isInteger(o.pid) && typeof o.host === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** Whether the lock's owner is known to be gone: this host, and no such process. */
function isStale(owner: LockOwner): boolean {
  return owner.host === hostname() && owner.pid !== process.pid && !processAlive(owner.pid);
}

/**
 * Takes the lock of run folder `dir` (which exists) for this process, or throws RunInUseError
 * naming the process that holds it. A stale lock is taken over; `onTakeOver` hears about it.
 */
export function lockRun(dir: string, command: string, onTakeOver?: (owner: LockOwner) => void): RunLock {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  const tmp = join(dir, `.${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(me) + '\n', { flag: 'wx' });
  } catch (e) {
    throw asFileSystemError(e, 'write', path, 'the run lock');
  }
  let tookOver: LockOwner | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = readOwner(path);
      if (!owner || !isStale(owner) || attempt > 0) throw new RunInUseError(dir, owner);
      // Stale: remove it and try once more (if another process took it over first, link fails again).
      onTakeOver?.(owner);
      tookOver = owner;
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first.
      }
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone.
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Only our own lock: never one that another process took over after ours was removed by hand.
    if (readOwner(path)?.pid === process.pid) {
      try {
        unlinkSync(path);
      } catch {
        // Removed already.
      }
    }
  };
  process.on('exit', release);
  return { path, tookOver, release };
}

/** Removes `dir` if it is empty (a folder made for a run that then never started). */
export function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Not there, or not empty: leave it.
  }
}
