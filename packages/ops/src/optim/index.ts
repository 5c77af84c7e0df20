// The in-place SGD-with-momentum update: one tensor, or many per dispatch.
export {
  sgdMomentumUpdate,
  sgdMomentumUpdateMany,
  sgdMomentumTensorsPerDispatch,
  SGD_MAX_TENSORS_PER_DISPATCH,
  type SgdMomentumHyperparams,
  type SgdMomentumManyOptions,
} from './optim.js';
export { sgdMomentumCpu } from './optim.cpu.js';
// Adam and AdamW: one fused kernel per tensor.
export { adamUpdate, adamConstants, type AdamHyperparams } from './adam.js';
export { adamCpu, type AdamConstants } from './adam.cpu.js';
// The exponential moving average of a tensor (Polyak averaging): one fused kernel per tensor.
export { emaUpdate } from './ema.js';
export { emaCpu } from './ema.cpu.js';
