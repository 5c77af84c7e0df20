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
 *
 * A failure of the file system (a full disk, a read-only folder, permissions, a file size limit) is
 * a FileSystemError naming the target (never the hidden temporary file), what was being written,
 * and what to do about it.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { SaddleError } from '@saddle/tensor';
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
export async function writeFileAtomic(path: string, data: AtomicData, what?: string): Promise<void> {
  try {
    await replaceAtomically(path, data);
  } catch (e) {
    throw asFileSystemError(e, 'write', path, what);
  }
  await syncDirectory(dirname(path));
}

async function replaceAtomically(path: string, data: AtomicData): Promise<void> {
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
}

/** `JSON.stringify(value, null, 2)` plus a newline, written atomically. */
export async function writeJsonAtomic(path: string, value: unknown, what?: string): Promise<void> {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError(`writeJsonAtomic(${path}): the value is not JSON-serialisable (${typeof value})`);
  await writeFileAtomic(path, text + '\n', what);
}

/**
 * A file-system failure, said for a person: `write: cannot write the checkpoint (/runs/a/x): the disk
 * is full (ENOSPC); free space on the disk that holds /runs/a, or write elsewhere`. `code` is the
 * errno code (ENOSPC, EROFS, ...); `path` the user's file or folder.
 */
export class FileSystemError extends SaddleError {
  constructor(
    action: string,
    readonly path: string,
    readonly code: string | undefined,
    what: string | undefined,
    detail: string,
  ) {
    super(action, `cannot ${action} ${what ? `${what} (${path})` : path}: ${reasonFor(code, path, detail)}`);
    this.name = 'FileSystemError';
  }
}

/** Why, and what to do, for an errno code met at `path`. */
function reasonFor(code: string | undefined, path: string, detail: string): string {
  const dir = dirname(path);
  switch (code) {
    case 'ENOSPC':
      return `the disk is full (ENOSPC); free space on the disk that holds ${dir} (df -h ${dir}), or write elsewhere`;
    case 'EDQUOT':
      return `the disk quota is used up (EDQUOT); free space in your quota, or write elsewhere`;
    case 'EROFS':
      return `${dir} is on a read-only file system (EROFS); choose a folder on a writable disk`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}); make ${dir} writable for this user, or choose a folder you can write to`;
    case 'EFBIG':
      return `the file would pass the file size limit (EFBIG); raise the limit (ulimit -f) or write elsewhere`;
    case 'ENOENT':
      return `the folder ${dir} does not exist (ENOENT); create it, or check that nothing removed it`;
    case 'ENOTDIR':
      return `a part of ${dir} is a file, not a folder (ENOTDIR); choose another path`;
    case 'EISDIR':
      return `${path} is a folder (EISDIR); expected a file path`;
    case 'EIO':
      return `the disk reported an input/output error (EIO); check the disk (dmesg), then try again`;
    default:
      return detail;
  }
}

/**
 * `e` as a FileSystemError for `action` on the user's `path` (and `what` it is) when it is a Node
 * file-system error (it has an errno `code`); anything else is returned as it is.
 */
export function asFileSystemError(e: unknown, action: string, path: string, what?: string): unknown {
  if (e instanceof FileSystemError || !(e instanceof Error)) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || typeof (e as NodeJS.ErrnoException).syscall !== 'string') return e;
  // Node's message names the syscall and, for a failed write, the temporary file: say it without them.
  const detail = e.message.replace(/, \w+ '[^']*'( -> '[^']*')?$/, '');
  return new FileSystemError(action, path, code, what, detail);
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
