export {
  conv2d,
  convTranspose2d,
  conv2dGeometry,
  convTranspose2dGeometry,
  type Conv2dOptions,
  type ConvTranspose2dOptions,
  type ConvGeometry,
  type Pair,
} from './conv.js';
export { convCpu, isPointwise } from './conv.cpu.js';
