/**
 * The registry of benches. Each entry builds its Bench from the shared CLI options: matmul, maxout,
 * sigmoid-BCE (bce), convolutions (conv) and one GAN training iteration (gan).
 */
import type { Bench } from '../harness.js';
import { matmulBench } from './matmul.js';
import { maxoutBench } from './maxout.js';
import { bceBench } from './bce.js';
import { ganBench } from './gan-iteration.js';
import { convBench } from './conv.js';

export interface BenchBuildOptions {
  /** `--sizes`: the bench's main size axis (matmul: square M = K = N; maxout, bce: batch rows). */
  sizes?: number[];
  /** `--skip-gan`: leave out the GAN's shapes. */
  gan: boolean;
  /** The adapter is a hardware GPU (benches may add sizes that only a GPU finishes in time). */
  hardwareGpu: boolean;
}

export interface BenchEntry {
  summary: string;
  build(opts: BenchBuildOptions): Bench;
}

export const BENCHES: Record<string, BenchEntry> = {
  matmul: {
    summary: "C = A·B: square 256…4096 (8192 on a GPU) and the GAN's shapes, forward and backward",
    build: (o) => matmulBench({ sizes: o.sizes, gan: o.gan, hardwareGpu: o.hardwareGpu }),
  },
  maxout: {
    summary: "maxout 240×5 at the paper's D shapes (B = 100, 200; and 5000), forward, forward + backward, and D's first layer",
    build: (o) => maxoutBench({ sizes: o.sizes }),
  },
  bce: {
    summary: "sigmoid-BCE from logits: D's logits [B, 1] (B = 100, 200) and per-pixel [100|1000, 784], forward and forward + backward",
    build: (o) => bceBench({ sizes: o.sizes }),
  },
  conv: {
    summary: "conv2d and convTranspose2d at the conv GAN preset's shapes, 3x3 s1, 5x5 s2, 1x1 and DCGAN's G layer, forward and backward (dx, dw)",
    build: () => convBench(),
  },
  gan: {
    summary: "one Algorithm 1 iteration of the paper's MNIST GAN (batch 100, k = 1, dropout, momentum), and of the `quick` preset",
    build: () => ganBench(),
  },
};
