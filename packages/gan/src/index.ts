export * from './data/mnist.js';
export * from './io/atomic.js';
export * from './io/png.js';
export * from './io/svg.js';
export * from './metrics/parzen-cpu.js';
