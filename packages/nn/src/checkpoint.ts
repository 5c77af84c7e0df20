// Module checkpoints as .safetensors files (Node only; the package's Node entry exports these).
import { loadSafetensors, saveSafetensors } from './safetensors-files.js';
import type { SafeTensors } from './safetensors.js';
import type { Module } from './module.js';
import type { Optimizer } from './optim/optimizer.js';

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

/**
 * Saves an optimizer's state (`opt.stateDict()`: its buffers and counters) as safetensors, written
 * atomically. `metadata` is added to the optimizer's own (which wins on a clash).
 */
export async function saveOptimizer(path: string, opt: Optimizer, metadata?: Record<string, string>): Promise<void> {
  const state = await opt.stateDict();
  await saveSafetensors(path, state.tensors, { ...metadata, ...state.metadata });
}

/** Loads a state saved by `saveOptimizer` into `opt` (the same optimizer over the same shapes). Returns the metadata. */
export async function loadOptimizer(path: string, opt: Optimizer): Promise<Record<string, string>> {
  const state = await loadSafetensors(path);
  opt.loadStateDict(state, path);
  return state.metadata;
}
