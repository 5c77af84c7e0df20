import type { Shape, Tensor } from '@saddle/tensor';
import { asWasm, wasmType } from '../shared/launch.js';
import { wasmDims } from '../shared/strided.js';
import type { TensorRead } from './where.cpu.js';

/** Launches the wasm select (kernels-wasm assembly/where/), broadcasting through stride-0 dims. */
export function whereOnWasm(c: TensorRead, a: TensorRead, b: TensorRead, shape: Shape, out: Tensor): void {
  const op = 'where';
  const w = asWasm(out.device);
  wasmType(op, a.t.dtype); // a 4-byte dtype (the select moves bits, whatever they mean)
  const condFloat = wasmType(op, c.t.dtype) === 'F32' ? 1 : 0;
  const { rank, dims } = wasmDims(shape, [c.strides, a.strides, b.strides]);
  const args = [
    condFloat,
    out.size,
    w.address(c.t.storage, c.offset),
    w.address(a.t.storage, a.offset),
    w.address(b.t.storage, b.offset),
    w.address(out.storage),
    rank,
    w.ints(dims),
  ] as const;
  w.run('whereSelect', args, out.size);
}
