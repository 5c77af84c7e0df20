export { where } from './where.js';
export { whereCpu, type StridedRead } from './where.cpu.js';
