export { crossEntropy, crossEntropyGrad } from './cross-entropy.js';
export { crossEntropyRowsCpu, crossEntropyGradCpu } from './cross-entropy.cpu.js';
