import { Params, Tensor, sizeOf, type WebGpuDevice } from '@saddle/tensor';
import { asGpu, grid1d, wgslType } from '../shared/launch.js';
import { mergeDims, type Dims, type ReduceCpuKind } from './reduce.cpu.js';
import { REDUCE_CHUNK, REDUCE_LANE_WORK, REDUCE_WORKGROUP, reduceWgsl, type ReduceVariant } from './reduce.wgsl.js';

interface Pass {
  rows: number;
  chunks: number;
  chunkLen: number;
  n: number;
  kept: Dims;
  red: Dims;
  offset: number;
  scale: number;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Records one reduction pass: picks the lanes per row and the thread layout, and whether the tree
 * ends in subgroup operations (where the device has a fixed subgroup size and a row's lanes are at
 * least one whole subgroup of adjacent invocations), generates the kernel, packs the params.
 */
function launch(device: WebGpuDevice, label: string, variant: ReduceVariant, buffers: Tensor[], g: Pass): void {
  const threads = Math.min(REDUCE_WORKGROUP, nextPow2(Math.ceil(g.chunkLen / REDUCE_LANE_WORK)));
  const rowsPerGroup = REDUCE_WORKGROUP / threads;
  const redInner = g.red.strides[g.red.strides.length - 1] ?? 1;
  const keptInner = g.kept.strides[g.kept.strides.length - 1];
  // Adjacent threads should read adjacent addresses: lanes of one row when the reduced dim is the
  // contiguous one, neighbouring rows when the kept dim is.
  const lanesAdjacent = redInner !== 1 && keptInner === 1 && rowsPerGroup > 1 ? 0 : 1;
  const sg = device.subgroupSize;
  const subgroups = sg !== null && lanesAdjacent === 1 && threads >= sg;
  device.dispatch({
    label,
    code: reduceWgsl({ ...variant, subgroups }),
    params: new Params()
      .u32(g.rows, g.chunks, g.chunkLen, g.n, threads, rowsPerGroup, lanesAdjacent, g.kept.shape.length)
      .u32(g.red.shape.length, g.offset)
      .f32(g.scale)
      .u32(subgroups ? sg : 0)
      .vec4u(g.kept.shape, 2)
      .vec4u(g.kept.strides, 2)
      .vec4u(g.red.shape, 2)
      .vec4u(g.red.strides, 2)
      .finish(),
    buffers: buffers.map((t) => t.storage),
    workgroups: grid1d(Math.ceil(g.rows / rowsPerGroup), 1),
  });
}

/**
 * Dispatches reduce.wgsl.ts: one pass when a row fits REDUCE_CHUNK elements, else partials per
 * chunk, then a pass over each row's partials. max and argmax carry (value, index) pairs.
 */
export function reduceOnWebgpu(op: string, kind: ReduceCpuKind, x: Tensor, axes: number[], outShape: number[], n: number): Tensor {
  const type = wgslType(op, x.dtype);
  const device = asGpu(x.device, op);
  const red = new Set(axes);
  const keptIdx = x.shape.map((_, i) => i).filter((i) => !red.has(i));
  const kept = mergeDims(
    keptIdx.map((i) => x.shape[i]!),
    keptIdx.map((i) => x.strides[i]!),
  );
  const redDims = mergeDims(
    axes.map((i) => x.shape[i]!),
    axes.map((i) => x.strides[i]!),
  );
  const m = sizeOf(outShape);
  const out = Tensor.empty(outShape, kind === 'argmax' ? 'i32' : x.dtype, device);
  const kernel: ReduceVariant['kind'] = kind === 'mean' ? 'sum' : kind;
  const finalScale = kind === 'mean' ? 1 / n : 1;

  if (n <= REDUCE_CHUNK) {
    launch(device, op, { kind: kernel, type }, [x, out], {
      rows: m,
      chunks: 1,
      chunkLen: n,
      n,
      kept,
      red: redDims,
      offset: x.offset,
      scale: finalScale,
    });
    return out;
  }

  // Long reductions: pass 1 reduces chunks of REDUCE_CHUNK elements into partials [m, chunks];
  // pass 2 reduces each row of partials (which is short) into the output.
  const chunks = Math.ceil(n / REDUCE_CHUNK);
  const partV = Tensor.empty([m * chunks], x.dtype, device);
  const partI = kind === 'argmax' ? Tensor.empty([m * chunks], 'i32', device) : null;
  try {
    const pass1Out = kind === 'argmax' ? [partV, partI!] : [partV];
    launch(device, `${op} (pass 1)`, { kind: kernel, type, valuesOut: kind === 'argmax' }, [x, ...pass1Out], {
      rows: m * chunks,
      chunks,
      chunkLen: REDUCE_CHUNK,
      n,
      kept,
      red: redDims,
      offset: x.offset,
      scale: 1,
    });
    const pass2In = kind === 'argmax' ? [partV, partI!] : [partV];
    launch(device, `${op} (pass 2)`, { kind: kernel, type, indicesIn: kind === 'argmax' }, [...pass2In, out], {
      rows: m,
      chunks: 1,
      chunkLen: chunks,
      n: chunks,
      kept: mergeDims([m], [chunks]),
      red: mergeDims([chunks], [1]),
      offset: 0,
      scale: finalScale,
    });
  } finally {
    partV.dispose();
    partI?.dispose();
  }
  return out;
}
