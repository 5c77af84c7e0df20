// Module checkpoints as .safetensors files (Node only; the package's Node entry exports these).
import { loadSafetensors, saveSafetensors } from './safetensors-files.js';
import { checkLoadedTensors, type LoadOptions, type SafeTensors } from './safetensors.js';
import type { Module } from './module.js';
import type { Optimizer } from './optim/optimizer.js';

/** Saves a module's parameters and buffers as safetensors (written atomically: a crash never leaves a torn file). */
export async function saveModule(path: string, module: Module, metadata?: Record<string, string>): Promise<void> {
  const state = await module.stateDict();
  const tensors: SafeTensors = {};
  for (const [name, p] of Object.entries(state)) tensors[name] = { dtype: p.dtype, shape: p.shape, data: p.data };
  await saveSafetensors(path, tensors, metadata);
}

/**
 * Loads parameters saved by `saveModule` into `module` (names and shapes must match). Returns the
 * metadata. Refused unless `options` allow it: a tensor whose dtype is not its parameter's (an f64
 * file into f32 parameters), NaN or infinite values. A refused file changes no parameter.
 */
export async function loadModule(path: string, module: Module, options: LoadOptions = {}): Promise<Record<string, string>> {
  const { tensors, metadata } = await loadSafetensors(path);
  const dtypes = new Map(module.namedState().map(([name, p]) => [name, p.dtype]));
  checkLoadedTensors('loadModule', tensors, path, (name) => dtypes.get(name), options);
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
