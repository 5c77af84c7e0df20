/** `gan eval RUN`: the Parzen-window log-likelihood of the MNIST test set under RUN's generator (Table 1's protocol). */
import { resolve } from 'node:path';
import { loadMnist } from '../data/mnist-files.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { loadGenerator } from '../run/run-folder.js';
import { EVAL_FLAGS, USAGE, existingRun, intFlag, numberFlag, parse, pickDevice, runArgument, type CliIO } from './flags.js';
import { mnistParzen } from './parzen.js';
import { speckle } from '../metrics/speckle.js';

export async function evaluate(args: readonly string[], io: CliIO): Promise<number> {
  const { values: flags, positionals } = parse('eval', args, EVAL_FLAGS);
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  const run = runArgument('eval', positionals);
  const n = intFlag(flags, 'n', 1) ?? 10_000;
  const sigma = numberFlag(flags, 'sigma', (x) => x > 0, 'a positive number');
  const testN = intFlag(flags, 'test-n', 1) ?? 10_000;
  const valN = intFlag(flags, 'val-n', 1) ?? 1000;
  const seedFlag = intFlag(flags, 'seed', 0);
  const dir = existingRun(run);
  const device = await pickDevice(flags);
  const { G, config, epoch, iterInEpoch, averaged } = await loadGenerator(dir, device);
  try {
    const seed = seedFlag ?? config.seed;
    io.out(
      `device: ${device.name}; run ${dir} (after ${epoch} epoch(s)${iterInEpoch ? ` and ${iterInEpoch} iterations` : ''})${averaged ? `; generator: the moving average of G's weights (decay ${config.gEma})` : ''}`,
    );
    io.out(
      `Parzen window estimate: ${n} samples, sigma ${sigma ?? `cross-validated on ${valN} validation images over logspace(-1, 0, 10)`}, ${testN} test images`,
    );
    const mnist = await loadMnist();
    const t = performance.now();
    const r = await mnistParzen(G, config, mnist, device, { n, seed, sigma, testN, valN, speckle: true });
    const reference = speckle(mnist.validation.images, mnist.validation.n);
    const seconds = (performance.now() - t) / 1000;
    io.out(`sigma = ${r.sigma.toPrecision(4)}`);
    io.out(
      `speckle: ${r.speckle!.specksPerImage.toFixed(3)} specks per sample (blobs of <= 3 pixels above 0.5; MNIST validation: ${reference.specksPerImage.toFixed(3)}), ${(100 * r.speckle!.imagesWithSpecks).toFixed(1)}% of samples with one or more`,
    );
    io.out(`test log-likelihood: ${r.mean.toFixed(1)} ± ${r.stdErr.toFixed(1)} (mean ± standard error over ${testN} test images; paper: 225 ± 2)`);
    await writeJsonAtomic(
      resolve(dir, 'parzen.json'),
      {
        mean: r.mean,
        stdErr: r.stdErr,
        sigma: r.sigma,
        perSigma: r.perSigma,
        speckle: r.speckle,
        mnistValidationSpeckle: reference,
        samples: n,
        testImages: testN,
        validationImages: valN,
        seed,
        epoch,
        iterInEpoch,
        averagedGenerator: averaged,
        seconds,
      },
      'the Parzen estimate',
    );
    return 0;
  } finally {
    G.dispose();
  }
}
