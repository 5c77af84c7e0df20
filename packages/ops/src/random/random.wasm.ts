import type { Tensor } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import type { Stream } from './random.cpu.js';
import type { RandomKind } from './random.wgsl.js';

/** The wasm kernel's code for each kind (assembly/random/random.ts). */
const WASM_DRAW_KINDS: Record<RandomKind, number> = { bits: 0, uniform: 1, normal: 2, int: 3 };

/** Launches the wasm draw kernel (kernels-wasm assembly/random/) of `kind` into `out`. */
export function randomOnWasm(_op: string, kind: RandomKind, stream: Stream, a: number, b: number, out: Tensor): void {
  const n = out.size;
  const w = asWasm(out.device);
  const [k0, k1] = stream.key;
  const [o0, o1] = stream.offset;
  // Philox is ~100 integer ops per 4 elements: worth the workers from a few thousand elements.
  w.run('randomDraw', [WASM_DRAW_KINDS[kind], n, w.address(out.storage), k0, k1, o0, o1, a, b], 16 * n);
}

/** Launches the wasm Philox kernel on caller-given counters (dense, from their offset). */
export function philoxOnWasm(_op: string, counters: Tensor, key: readonly [number, number], out: Tensor): void {
  const blocks = counters.size / 4;
  const w = asWasm(counters.device);
  w.run('philoxBlocks', [blocks, w.address(counters.storage, counters.offset), w.address(out.storage), key[0], key[1]], 64 * blocks);
}
