export {
  maxPool2d,
  maxPool2dWithIndices,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  poolGeometry,
  checkPoolOptions,
  type Size2d,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
} from './pool.js';
export { maxPool2dCpu, avgPool2dCpu, maxPool2dBackwardCpu, avgPool2dBackwardCpu, avgDivisor, type PoolGeometry, type PoolWindow } from './pool.cpu.js';
