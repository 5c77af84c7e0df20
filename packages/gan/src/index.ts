// The library: the paper's models, losses, trainer and metrics, data, figures and run folders.
// The `gan` command line (src/cli/) is not exported: importing the library loads no CLI code.
export * from './data/mnist.js';
export * from './io/atomic.js';
export * from './io/png.js';
export * from './io/svg.js';
export * from './metrics/parzen-cpu.js';
export * from './metrics/parzen.js';
export * from './metrics/table1.js';
export * from './metrics/value.js';
export * from './toy/toy1d.js';
export * from './losses.js';
export * from './models.js';
export * from './presets.js';
export * from './run-folder.js';
export * from './figures.js';
export * from './train/records.js';
export * from './train/accumulators.js';
export * from './train/checkpoint-state.js';
export * from './train/trainer.js';
export * from './train/stop-request.js';
export * from './train/non-finite.js';
export * from './train/training-run.js';
export { deriveSeed, permutation, streamGenerator } from './train/rng.js';
export { DeviceDataset } from './train/device-data.js';
