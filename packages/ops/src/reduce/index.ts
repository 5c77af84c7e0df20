export { sum, mean, max, argmax, maxWithIndices, sumTo, type Axes } from './reduce.js';
export { reduceCpu, type ReduceCpuKind } from './reduce.cpu.js';
