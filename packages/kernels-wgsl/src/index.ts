export * from './elementwise/elementwise.js';
export { UNARY_OPS, BINARY_OPS, type UnaryOpName, type BinaryOpName } from './elementwise/ops-table.js';
export { unaryCpu, binaryCpu } from './elementwise/elementwise.cpu.js';
export { grid1d, sameDevice, FLAT_WORKGROUP } from './shared/launch.js';
export { MAX_RANK, stridedIndex, readAs } from './shared/strided.js';
