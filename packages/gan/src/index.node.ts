/**
 * The original GAN paper reproduced: Eq. (1), Algorithm 1, the MNIST experiment, Parzen-window
 * evaluation, figures, run folders.
 *
 * @module @saddle/gan
 */
// The Node entry of @saddle/gan (package.json `exports`, "node" condition): ./index.ts plus what
// touches files and the process: MNIST from disk (gzipped or not), PNG figures, run folders and
// checkpoints, atomic writes, stop requests from signals. (./data/mnist-files.ts installs
// node:zlib's gunzip for parseIdx.)
export * from './index.js';
export * from './data/mnist-files.js';
export * from './io/atomic.js';
export * from './io/png.js';
export * from './figures.js';
export * from './run-folder.js';
export * from './train/stop-request.js';
export * from './train/training-run.js';
