// The library, browser-safe (package.json `exports` default): the paper's models, losses, trainer
// and metrics, MNIST parsing (and fetching over HTTP), the 1-D and 2-D toys, what the figures show.
// Files on disk (MNIST from a folder, PNG figures, run folders, checkpoints, stop signals) are in
// ./index.node.ts; the `gan` command line (src/cli/) is not exported by either.
export * from './data/mnist.js';
export * from './io/svg.js';
export * from './metrics/parzen-cpu.js';
export * from './metrics/parzen.js';
export * from './metrics/table1.js';
export * from './metrics/speckle.js';
export * from './metrics/value.js';
export * from './toy/toy1d.js';
export * from './toy/toy2d.js';
export * from './losses.js';
export * from './models.js';
export * from './presets.js';
export * from './figure-data.js';
export * from './train/records.js';
export * from './train/accumulators.js';
export * from './train/checkpoint-state.js';
export * from './train/trainer.js';
export * from './train/non-finite.js';
export { deriveSeed, permutation, streamGenerator } from './train/rng.js';
export { DeviceDataset } from './train/device-data.js';
