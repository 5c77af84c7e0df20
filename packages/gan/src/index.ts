export * from './data/mnist.js';
export * from './io/atomic.js';
export * from './io/png.js';
export * from './io/svg.js';
export * from './metrics/parzen-cpu.js';
export * from './metrics/parzen.js';
export * from './metrics/value.js';
export * from './toy/toy1d.js';
