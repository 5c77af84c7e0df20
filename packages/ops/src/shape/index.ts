// Shape ops: views (reshape, transpose, slice, broadcastTo, expandDims, squeeze) and copies (concat, copyInto).
export { reshape, transpose, slice, concat, broadcastTo, expandDims, squeeze, copyInto, viewStrides } from './shape.js';
export { copyStridedCpu } from './shape.cpu.js';
