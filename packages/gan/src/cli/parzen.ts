/** The Parzen-window estimate of Table 1 for a generator, on MNIST's validation (sigma) and test images. */
import { Generator, fromArray, type Device } from '@saddle/autograd';
import { MNIST_PIXELS, type Mnist } from '../data/mnist.js';
import { parzenEvaluate } from '../metrics/parzen.js';
import { generateSamples, type GeneratorNet } from '../models.js';
import type { GanConfig } from '../presets.js';
import { deriveSeed } from '../train/rng.js';

export async function mnistParzen(G: GeneratorNet, config: GanConfig, mnist: Mnist, device: Device, opts: { n: number; seed: number; sigma?: number; testN: number; valN?: number }) {
  const samples = generateSamples(G, opts.n, config.zDist, new Generator(deriveSeed(opts.seed, 'parzen-samples')), device);
  const valN = Math.min(opts.valN ?? 1000, mnist.validation.n);
  const testN = Math.min(opts.testN, mnist.test.n);
  const validation = fromArray(mnist.validation.images.subarray(0, valN * MNIST_PIXELS), [valN, MNIST_PIXELS], { device });
  const test = fromArray(mnist.test.images.subarray(0, testN * MNIST_PIXELS), [testN, MNIST_PIXELS], { device });
  try {
    return await parzenEvaluate({ samples, validation, test, sigma: opts.sigma, validationCount: valN });
  } finally {
    samples.dispose();
    validation.dispose();
    test.dispose();
  }
}
