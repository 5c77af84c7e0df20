/**
 * Split-K: when to split a product's K among several workgroups per block of C, and the
 * reduction that adds the parts (the kernel is split-k.wgsl.ts, recorded by split-k.webgpu.ts, its
 * CPU twin split-k.cpu.ts; the matmul kernel computes the parts). Only WebGPU splits: see split-k.wasm.ts.
 */
import { SaddleError } from '@saddle/tensor';

/**
 * When the chosen tiling launches fewer than `targetWorkgroups` blocks, K is split so that about
 * that many workgroups run, each part at least `minK` long (shorter parts spend more on the
 * reduction than they save). On a hardware GPU the target is four workgroups per multiprocessor of
 * a large GPU (132 on an H100): the GAN's products at batch 100 launch 100 to 150 blocks of 32×32 with
 * K = 784 … 1200, one small workgroup per multiprocessor, too few threads to hide memory latency.
 * A software adapter (lavapipe) runs workgroups on a few CPU threads and never lacks them: no split
 * there (and no extra dispatch), unless a caller forces one with MatmulOptions.splitK.
 */
export const MATMUL_SPLIT_K = { gpu: { targetWorkgroups: 512, minK: 64 }, software: null } as const;

/** How a matmul splits K: parts and values per part. */
export interface SplitK {
  /** Parts of K (1: no split). */
  splits: number;
  /** Values of K per part: a multiple of the k-tile, so parts never share a tile. */
  kChunk: number;
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/** S parts of `k` in multiples of `bk` (fewer when `k` does not fill S parts); S = 1 is no split. */
export function splitKParts(k: number, bk: number, splits: number): SplitK {
  if (!Number.isInteger(splits) || splits < 1) throw new SaddleError('matmul', `splitK ${splits}: expected an integer >= 1`);
  if (splits === 1 || k <= bk) return { splits: 1, kChunk: Math.max(bk, roundUp(k, bk)) };
  const kChunk = roundUp(Math.ceil(k / splits), bk);
  return { splits: Math.ceil(k / kChunk), kChunk };
}

/**
 * The split for a product whose tiling launches `blocks` workgroups, given the device's policy
 * (null: never split).
 */
export function chooseSplitK(blocks: number, k: number, bk: number, policy: { targetWorkgroups: number; minK: number } | null): SplitK {
  if (!policy || blocks >= policy.targetWorkgroups) return splitKParts(k, bk, 1);
  const s = Math.min(Math.ceil(policy.targetWorkgroups / blocks), Math.floor(k / policy.minK));
  return splitKParts(k, bk, Math.max(1, s));
}
