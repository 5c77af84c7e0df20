import { Params, type Tensor } from '@saddle/tensor';
import { asGpu, grid1d } from '../shared/launch.js';
import type { Stream } from './random.cpu.js';
import { philoxBlocksWgsl, randomWgsl, type RandomKind } from './random.wgsl.js';

/** Dispatches random.wgsl.ts's draw kernel of `kind`: one thread per Philox block of four elements. */
export function randomOnWebgpu(op: string, kind: RandomKind, stream: Stream, a: number, b: number, out: Tensor): void {
  const n = out.size;
  const params = new Params().u32(n, stream.key[0], stream.key[1], stream.offset[0], stream.offset[1]);
  if (kind === 'uniform' || kind === 'normal') params.f32(a, b);
  else if (kind === 'int') params.i32(a).u32(b);
  else params.u32(0, 0);
  asGpu(out.device, op).dispatch({
    label: op,
    code: randomWgsl(kind, out.dtype as 'f32' | 'i32' | 'u32'),
    params: params.u32(0).finish(),
    buffers: [out.storage],
    workgroups: grid1d(Math.ceil(n / 4)),
  });
}

/** Dispatches random.wgsl.ts's Philox kernel on caller-given counters: one thread per block. */
export function philoxOnWebgpu(op: string, counters: Tensor, key: readonly [number, number], out: Tensor): void {
  const blocks = counters.size / 4;
  asGpu(counters.device, op).dispatch({
    label: op,
    code: philoxBlocksWgsl(),
    params: new Params().u32(blocks, key[0], key[1], 0).finish(),
    buffers: [counters.storage, out.storage],
    workgroups: grid1d(blocks),
  });
}
