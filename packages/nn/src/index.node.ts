/**
 * Layers, initializers, optimizers, schedules and safetensors checkpoints.
 *
 * @module @saddle/nn
 */
// The Node entry of @saddle/nn (package.json `exports`, "node" condition): ./index.ts plus what
// touches files: atomic writes, .safetensors files, module checkpoints.
export * from './index.js';
export { writeFileAtomic, writeJsonAtomic, asFileSystemError, FileSystemError, type AtomicData } from './atomic.js';
export { saveSafetensors, loadSafetensors } from './safetensors-files.js';
export { saveModule, loadModule, saveOptimizer, loadOptimizer } from './checkpoint.js';
