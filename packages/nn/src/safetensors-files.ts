/** .safetensors files on disk (Node only; the package's Node entry exports these). */
import { readFile } from 'node:fs/promises';
import { SaddleError } from '@saddle/tensor';
import { writeFileAtomic } from './atomic.js';
import { decodeSafetensors, encodeSafetensors, type SafeTensors, type SafetensorsContents } from './safetensors.js';

/**
 * Writes a .safetensors file atomically (temporary file, fsync, rename): a crash never leaves half a
 * checkpoint. `what` the file is goes into a file-system error's message.
 */
export async function saveSafetensors(path: string, tensors: SafeTensors, metadata?: Record<string, string>, what?: string): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata), what);
}

/** Reads and validates a .safetensors file; errors (a missing file too) are SaddleErrors naming the path. */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (e as Error).message;
    throw new SaddleError('safetensors', `cannot read ${path}: ${why}${code ? ` (${code})` : ''}; expected a .safetensors file`);
  }
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
