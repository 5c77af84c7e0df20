import { SaddleError, type Shape, type Tensor } from '@saddle/tensor';
import { asWasm, wasmType } from '../shared/launch.js';
import { wasmDims } from '../shared/strided.js';
import { wasmCopyStrided } from '../shared/wasm-copy.js';
import { WASM_BINARY_CODES, WASM_UNARY_CODES, type BinaryOpName, type UnaryOpName } from './ops-table.js';
import type { StridedView } from './elementwise.cpu.js';

/** Launches the wasm unary kernel (kernels-wasm assembly/elementwise/), or the strided copy for `copy`. */
export function unaryOnWasm(name: UnaryOpName, x: Tensor, out: Tensor): void {
  const w = asWasm(x.device);
  if (name === 'copy') {
    // A copy moves words whatever the dtype; the strided-copy kernel also tiles transposes.
    wasmCopyStrided(w, x.shape, x.storage, x.strides, x.offset, out.storage, out.strides, 0);
    return;
  }
  const { rank, dims } = wasmDims(x.shape, [x.strides]);
  const code = WASM_UNARY_CODES[name];
  if (code === undefined) {
    out.dispose();
    throw new SaddleError(name, `${name} has no wasm kernel yet; expected one of ${Object.keys(WASM_UNARY_CODES).join(', ')} on the wasm device`);
  }
  const args = [code, out.size, w.address(x.storage, x.offset), w.address(out.storage), rank, w.ints(dims)] as const;
  w.run(`unary${wasmType(name, x.dtype)}`, args, out.size);
}

/** Launches the wasm binary kernel (kernels-wasm assembly/elementwise/), broadcasting through stride-0 dims. */
export function binaryOnWasm(name: BinaryOpName, ta: Tensor, ra: StridedView, tb: Tensor, rb: StridedView, shape: Shape, out: Tensor): void {
  const w = asWasm(ta.device);
  const { rank, dims } = wasmDims(shape, [ra.strides, rb.strides]);
  const args = [
    WASM_BINARY_CODES[name],
    out.size,
    w.address(ta.storage, ra.offset),
    w.address(tb.storage, rb.offset),
    w.address(out.storage),
    rank,
    w.ints(dims),
  ] as const;
  w.run(`binary${wasmType(name, ta.dtype)}`, args, out.size);
}
