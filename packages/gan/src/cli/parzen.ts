/** The Parzen-window estimate of Table 1 for a generator, on MNIST's validation (sigma) and test images. */
import type { Device } from '@saddle/autograd';
import type { Mnist } from '../data/mnist.js';
import { table1Parzen, type Table1Options, type Table1Result } from '../metrics/table1.js';
import type { GeneratorNet } from '../models.js';
import type { GanConfig } from '../presets.js';

/** `table1Parzen` with the run's noise distribution: what `gan eval` and the training loop report. */
export function mnistParzen(G: GeneratorNet, config: GanConfig, mnist: Mnist, device: Device, opts: Table1Options): Promise<Table1Result> {
  return table1Parzen(G, config.zDist, mnist, device, opts);
}
