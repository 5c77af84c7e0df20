/** .safetensors files on disk (Node only; the package's Node entry exports these). */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.js';
import { decodeSafetensors, encodeSafetensors, type SafeTensors, type SafetensorsContents } from './safetensors.js';

/** Writes a .safetensors file atomically (temporary file, fsync, rename): a crash never leaves half a checkpoint. */
export async function saveSafetensors(path: string, tensors: SafeTensors, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads and validates a .safetensors file; errors name the path. */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  const bytes = await readFile(path);
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
