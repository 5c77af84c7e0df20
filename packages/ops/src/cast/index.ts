export { cast } from './cast.js';
export { castCpu, castValue } from './cast.cpu.js';
export { castWgsl, castExpr } from './cast.wgsl.js';
