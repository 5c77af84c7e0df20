export { sigmoidBce, sigmoidBceGrad } from './bce.js';
export { sigmoidBceCpu, sigmoidBceGradCpu, type StridedView } from './bce.cpu.js';
