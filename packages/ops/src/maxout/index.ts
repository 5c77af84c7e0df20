export { maxout, maxoutBackward } from './maxout.js';
export { maxoutDropout } from './maxout-dropout.js';
export { maxoutCpu, maxoutBackwardCpu, type View2d } from './maxout.cpu.js';
export { maxoutDropoutCpu } from './maxout-dropout.cpu.js';
