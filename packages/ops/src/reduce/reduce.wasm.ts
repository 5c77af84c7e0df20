import { Tensor, sizeOf } from '@saddle/tensor';
import { asWasm, wasmType } from '../shared/launch.js';
import { mergeDims, type Dims, type ReduceCpuKind } from './reduce.cpu.js';

/** Merged dims with rank >= 1 (a wasm kernel walks a scalar as one element of stride 1). */
function atLeast1(d: Dims): Dims {
  return d.shape.length > 0 ? d : { shape: [1], strides: [1] };
}

/**
 * The wasm reductions (kernels-wasm/assembly/reduce): each pass reduces pieces of every row into
 * a [m, chunks] array of partials, and the next pass reduces those, until one piece per row is
 * left. max and argmax carry (value, index) pairs through the passes.
 */
export function reduceOnWasm(op: string, kind: ReduceCpuKind, x: Tensor, axes: number[], outShape: number[], n: number): Tensor {
  const device = asWasm(x.device);
  const type = wasmType(op, x.dtype);
  const red = new Set(axes);
  const keptIdx = x.shape.map((_, i) => i).filter((i) => !red.has(i));
  let kept = atLeast1(
    mergeDims(
      keptIdx.map((i) => x.shape[i]!),
      keptIdx.map((i) => x.strides[i]!),
    ),
  );
  let reduced = atLeast1(
    mergeDims(
      axes.map((i) => x.shape[i]!),
      axes.map((i) => x.strides[i]!),
    ),
  );
  const m = sizeOf(outShape);
  const out = Tensor.empty(outShape, kind === 'argmax' ? 'i32' : x.dtype, device);
  const isSum = kind === 'sum' || kind === 'mean';
  const temps: Tensor[] = [];
  let src = device.address(x.storage, x.offset);
  let srcIdx = 0;
  let len = n;
  try {
    for (;;) {
      const contiguous = reduced.shape.length === 1 && reduced.strides[0] === 1;
      const chunkLen = device.constant(contiguous ? 'CONTIGUOUS_PIECE' : 'STRIDED_PIECE');
      const chunks = Math.ceil(len / chunkLen);
      const last = chunks === 1;
      const dims = device.ints([...kept.shape, ...kept.strides, ...reduced.shape, ...reduced.strides]);
      const ranks = [kept.shape.length, reduced.shape.length, dims] as const;
      let partV = out;
      let partI: Tensor | null = kind === 'argmax' ? out : null;
      if (!last) {
        temps.push((partV = Tensor.empty([m * chunks], x.dtype, device)));
        if (!isSum) temps.push((partI = Tensor.empty([m * chunks], 'i32', device)));
      }
      if (isSum) {
        const scale = last && kind === 'mean' ? 1 / n : 1;
        device.run(`reduceSum${type}`, [m, len, chunkLen, chunks, src, device.address(partV.storage), scale, ...ranks], m * len);
      } else {
        const outV = last && kind === 'argmax' ? 0 : device.address(partV.storage);
        const outI = partI ? device.address(partI.storage) : 0;
        device.run(`reduceMax${type}`, [m, len, chunkLen, chunks, src, srcIdx, outV, outI, ...ranks], m * len);
      }
      if (last) return out;
      src = device.address(partV.storage);
      srcIdx = partI ? device.address(partI.storage) : 0;
      kept = { shape: [m], strides: [chunks] };
      reduced = { shape: [chunks], strides: [1] };
      len = chunks;
    }
  } finally {
    for (const t of temps) t.dispose();
  }
}
