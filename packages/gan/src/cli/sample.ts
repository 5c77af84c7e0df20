/** `gan sample RUN --n N --out FILE`: N samples of RUN's generator as raw little-endian float32, N x 784. */
import { resolve } from 'node:path';
import { Generator } from '@saddle/autograd';
import { float32LittleEndian } from '../figure-data.js';
import { writeFileAtomic } from '../io/atomic.js';
import { generateSamples } from '../models.js';
import { loadGenerator } from '../run/run-folder.js';
import { deriveSeed } from '../train/rng.js';
import { CliError, SAMPLE_FLAGS, USAGE, existingRun, intFlag, parse, pickDevice, runArgument, type CliIO } from './flags.js';

export async function sample(args: readonly string[], io: CliIO): Promise<number> {
  const { values: flags, positionals } = parse('sample', args, SAMPLE_FLAGS);
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  const run = runArgument('sample', positionals);
  const n = intFlag(flags, 'n', 1);
  if (n === undefined) throw new CliError('sample: --n N is required (the number of samples)');
  if (typeof flags.out !== 'string' || flags.out === '') throw new CliError('sample: --out FILE is required (raw little-endian float32, n x 784)');
  const seedFlag = intFlag(flags, 'seed', 0);
  const dir = existingRun(run);
  const device = await pickDevice(flags);
  const { G, config } = await loadGenerator(dir, device);
  try {
    const seed = seedFlag ?? config.seed;
    const x = generateSamples(G, n, config.zDist, new Generator(deriveSeed(seed, 'sample')), device);
    const values = Float32Array.from(await x.toArray());
    x.dispose();
    const out = resolve(flags.out);
    await writeFileAtomic(out, float32LittleEndian(values), 'the samples');
    io.out(`wrote ${n} samples (${n} x ${config.generator.outDim} float32, little-endian, ${values.byteLength} bytes) to ${out}`);
    return 0;
  } finally {
    G.dispose();
  }
}
