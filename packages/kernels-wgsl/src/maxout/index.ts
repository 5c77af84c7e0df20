export { maxout, maxoutBackward } from './maxout.js';
export { maxoutCpu, maxoutBackwardCpu, type View2d } from './maxout.cpu.js';
