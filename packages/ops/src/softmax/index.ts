export { softmax, logSoftmax, rowLayout } from './softmax.js';
export { softmaxCpu, rowStatsCpu, type RowLayout } from './softmax.cpu.js';
