/**
 * Table 1 of the paper for a trained generator, end to end: draw the samples, choose sigma on the
 * validation images, score the test images (the protocol of `parzen.ts`), on G's device. Shared by
 * `gan eval` and the GPU host's one-command run (benchmarks/src/gpu-run.ts).
 */
import { Generator, fromArray, type Device } from '@saddle/autograd';
import { MNIST_PIXELS, type Mnist } from '../data/mnist.js';
import { generateSamples, type GeneratorNet, type NoiseDistribution } from '../models.js';
import { deriveSeed } from '../train/rng.js';
import { parzenEvaluate, type ParzenResult } from './parzen.js';
import { speckle, type SpeckleResult } from './speckle.js';

/** Options of the Table 1 protocol: samples, seed, σ, test and validation images. */
export interface Table1Options {
  /** Samples drawn from G (the paper: 10 000). */
  n: number;
  /** Seeds the samples' noise stream ('parzen-samples'). */
  seed: number;
  /** A fixed sigma instead of cross-validation. */
  sigma?: number;
  /** Test images scored (the paper: all 10 000). */
  testN: number;
  /** Validation images for choosing sigma (`parzen_ll.py`'s limit_size: 1000). */
  valN?: number;
  /** Also count the samples' specks (`speckle.ts`); reads the samples back once. */
  speckle?: boolean;
}

/** The Table 1 estimate with what it was computed from. */
export interface Table1Result extends ParzenResult {
  /** The samples' speckle, when asked for. */
  speckle?: SpeckleResult;
}

/** The Parzen-window test log-likelihood of `G`'s samples (Table 1 protocol). */
export async function table1Parzen(G: GeneratorNet, zDist: NoiseDistribution, mnist: Mnist, device: Device, opts: Table1Options): Promise<Table1Result> {
  const samples = generateSamples(G, opts.n, zDist, new Generator(deriveSeed(opts.seed, 'parzen-samples')), device);
  const valN = Math.min(opts.valN ?? 1000, mnist.validation.n);
  const testN = Math.min(opts.testN, mnist.test.n);
  const validation = fromArray(mnist.validation.images.subarray(0, valN * MNIST_PIXELS), [valN, MNIST_PIXELS], { device });
  const test = fromArray(mnist.test.images.subarray(0, testN * MNIST_PIXELS), [testN, MNIST_PIXELS], { device });
  try {
    const result: Table1Result = await parzenEvaluate({ samples, validation, test, sigma: opts.sigma, validationCount: valN });
    if (opts.speckle) result.speckle = speckle(Float32Array.from(await samples.toArray()), opts.n);
    return result;
  } finally {
    samples.dispose();
    validation.dispose();
    test.dispose();
  }
}
