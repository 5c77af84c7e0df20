/**
 * The original GAN paper reproduced: Eq. (1), Algorithm 1, the MNIST experiment, Parzen-window
 * evaluation, figures, run folders.
 *
 * @module @saddle/gan
 */
// The Node entry of @saddle/gan (package.json `exports`, "node" condition): ./index.ts plus what
// touches files and the process: MNIST from disk (gzipped or not), PNG figures, run folders (and
// their lock) and checkpoints, atomic writes, stop requests from signals. (./data/mnist-files.ts installs
// node:zlib's gunzip for parseIdx.)
export * from './index.js';
export * from './data/mnist-files.js';
export * from './io/atomic.js';
export * from './io/png.js';
export * from './run/figures.js';
export * from './run/run-folder.js';
export * from './run/run-lock.js';
export * from './run/stop-request.js';
export * from './run/training-run.js';
