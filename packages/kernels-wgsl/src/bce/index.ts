export { sigmoidBce, sigmoidBceGrad } from './bce.js';
export { sigmoidBceCpu, sigmoidBceGradCpu, bceTerm, type StridedView } from './bce.cpu.js';
