/**
 * Atomic file replacement for everything saddle saves (checkpoints, logs, figures, reports):
 * the bytes go to a temporary file in the target's own directory (so the final rename never crosses a
 * file system), which is fsynced and then renamed over the target. rename(2) swaps the directory entry
 * in one step, so a reader, or a process that dies at any point, sees either the old file whole or the
 * new file whole, never a torn mix. The directory is fsynced afterwards (best effort) so that the
 * rename itself survives a power cut.
 *
 * If the process is killed between creating the temporary file and the rename, a `.<name>.*.tmp` file
 * may be left beside the target; the target itself is never damaged.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What `writeFileAtomic` accepts: bytes, text (written as UTF-8), or chunks produced over time. */
export type AtomicData = Uint8Array | string | Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>;

/** `.<name>.<pid>.<random>.tmp` beside `path`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Replaces `path` with `data` atomically. On any failure (a write error, a chunk source that throws)
 * the temporary file is removed, the error is rethrown, and whatever was at `path` is untouched.
 */
export async function writeFileAtomic(path: string, data: AtomicData): Promise<void> {
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'wx', 0o644);
  let renamed = false;
  try {
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) {
        await handle.writeFile(data);
      } else {
        // FileHandle.writeFile continues from the current position and loops over short writes.
        for await (const chunk of data) await handle.writeFile(chunk);
      }
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

/** `JSON.stringify(value, null, 2)` plus a newline, written atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError(`writeJsonAtomic(${path}): the value is not JSON-serialisable (${typeof value})`);
  await writeFileAtomic(path, text + '\n');
}

/** fsync of a directory, so that a rename in it is durable. Some platforms refuse it: best effort. */
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
