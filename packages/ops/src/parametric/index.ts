export { clamp, leakyRelu } from './parametric.js';
export { parametricCpu, PARAMETRIC_CPU } from './parametric.cpu.js';
export { PARAMETRIC_OPS, type ParametricOpName } from './parametric.wgsl.js';
