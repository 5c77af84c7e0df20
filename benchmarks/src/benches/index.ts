/**
 * The registry of benches. Each entry builds its Bench from the shared CLI options; later benches
 * (maxout, sigmoid-BCE, a whole GAN iteration) are added here.
 */
import type { Bench } from '../harness.js';
import { matmulBench } from './matmul.js';

export interface BenchBuildOptions {
  /** `--sizes`: the bench's main size axis (matmul: square M = K = N). */
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
    summary: 'C = A·B: square 256…4096 (8192 on a GPU) and the GAN\'s shapes, forward and backward',
    build: (o) => matmulBench({ sizes: o.sizes, gan: o.gan, hardwareGpu: o.hardwareGpu }),
  },
};
