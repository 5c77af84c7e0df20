// The in-place SGD-with-momentum update.
export { sgdMomentumUpdate, sgdMomentumUpdateMany, type SgdMomentumHyperparams } from './optim.js';
export { sgdMomentumCpu } from './optim.cpu.js';
