/**
 * Small helpers the benches share: the ratios every bench reports, the cross-runner check's
 * concatenated output, and tfjs's dropout mask as `tf.dropout` makes it.
 */
import type { Tensor } from '@saddle/tensor';
import type * as TF from '@tensorflow/tfjs-core';
import type { RunnerId } from '../harness.js';

/**
 * The ratios every bench reports, each library against its peer on the same hardware: WebGPU
 * against WebGPU, saddle's wasm device against tfjs-wasm (every core, and one thread), the CPU
 * twins against tfjs-cpu; and saddle's WebGPU against tfjs-wasm (what a user without a GPU
 * compares); saddle's wasm device against PyTorch on the CPU (every core, one thread), and its
 * relaxed-SIMD build against its SIMD128 build. The first one present in a run is its headline.
 */
export const BENCH_RATIOS: [RunnerId, RunnerId][] = [
  ['saddle-webgpu', 'tfjs-webgpu'],
  ['saddle-wasm', 'tfjs-wasm'],
  ['saddle-wasm-1t', 'tfjs-wasm'],
  ['saddle-wasm', 'torch-cpu'],
  ['saddle-wasm-1t', 'torch-cpu-1t'],
  ['saddle-wasm', 'saddle-wasm-simd128'],
  ['saddle-webgpu', 'tfjs-wasm'],
  ['saddle-cpu', 'tfjs-cpu'],
];

/** A float32 array as base64 of its little-endian bytes: how a case's inputs reach a torch runner's process (browser-safe). */
export function f32Base64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Concatenates host arrays (for the cross-runner check of several outputs). */
export function joined(parts: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** saddle tensors read back one after the other, concatenated. */
export async function readJoined(ts: Tensor[]): Promise<Float32Array> {
  const parts: ArrayLike<number>[] = [];
  for (const t of ts) parts.push(await t.toArray());
  return joined(parts);
}

/** tfjs tensors read back one after the other, concatenated. */
export async function readJoinedTf(ts: TF.Tensor[]): Promise<Float32Array> {
  const parts: ArrayLike<number>[] = [];
  for (const t of ts) parts.push(await t.data());
  return joined(parts);
}

/** A dropout mask the way `tf.dropout` makes one: floor(U[0, 1) + keep) / keep, drawn in JavaScript. */
export function tfDropoutMask(tf: typeof TF, shape: number[], keep: number): TF.Tensor {
  return tf.div(tf.floor(tf.add(tf.randomUniform(shape, 0, 1, 'float32'), keep)), keep);
}
