// Inverted dropout driven by the Philox streams of ../random.
export { dropout, dropoutMask, type DropoutOptions, type DropoutMaskOptions } from './dropout.js';
export { keepThreshold } from './dropout.cpu.js';
