// Module checkpoints as .safetensors files (Node only; the package's Node entry exports these).
import { loadSafetensors, saveSafetensors } from './safetensors-files.js';
import type { SafeTensors } from './safetensors.js';
import type { Module } from './module.js';

/** Saves a module's parameters as safetensors (written atomically: a crash never leaves a torn file). */
export async function saveModule(path: string, module: Module, metadata?: Record<string, string>): Promise<void> {
  const state = await module.stateDict();
  const tensors: SafeTensors = {};
  for (const [name, p] of Object.entries(state)) tensors[name] = { dtype: p.dtype, shape: p.shape, data: p.data };
  await saveSafetensors(path, tensors, metadata);
}

/** Loads parameters saved by `saveModule` into `module` (names and shapes must match). Returns the metadata. */
export async function loadModule(path: string, module: Module): Promise<Record<string, string>> {
  const { tensors, metadata } = await loadSafetensors(path);
  module.loadStateDict(tensors, path);
  return metadata;
}
