/**
 * Atomic file replacement for checkpoints: the bytes go to a temporary file in the target's own
 * directory (so the final rename never crosses a file system), which is fsynced and then renamed over
 * the target. rename(2) replaces the directory entry in one step, so a reader, or a process that dies
 * at any point, sees either the old file whole or the new file whole, never a torn mix. The directory
 * is fsynced afterwards (best effort) so the rename itself survives a power cut.
 *
 * (@saddle/gan has its own copy in gan/src/io/atomic.ts: nn must not import gan, and gan's I/O helpers
 * should not pull in the whole nn package.)
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** `.<name>.<pid>.<random>.tmp` beside `path`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Replaces `path` with `data` atomically. On any failure the temporary file is removed, the error is
 * rethrown, and whatever was at `path` before is untouched.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'wx', 0o644);
  let renamed = false;
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
  await syncDirectory(dirname(path));
}

/** fsync of a directory, so a rename in it is durable. Some platforms refuse it: best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows): the rename is still atomic, only less durable.
  }
}
