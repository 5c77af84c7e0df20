export { gather, scatterAdd } from './gather.js';
export { gatherCpu, scatterAddCpu, type GatherLayout } from './gather.cpu.js';
