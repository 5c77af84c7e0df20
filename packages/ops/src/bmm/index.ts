export { bmm, type BmmOptions } from './bmm.js';
export { bmmCpu, type BmmOperand } from './bmm.cpu.js';
