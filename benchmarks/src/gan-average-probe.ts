/**
 * One training run of a GAN preset, averaged several ways: extra exponential moving averages of G
 * (decay, warm-up) are updated after every G step beside the preset's own, and at the end each
 * average, and G's own last weights, gets `gan eval`'s protocol (Table 1's Parzen estimate and the
 * speckle count over 10 000 samples) and a 10 x 10 grid of samples from the same z. An average
 * reads G and writes only its own tensors, so every row is the same training: this is how the
 * quick preset's average was chosen (docs/gan.md, seventh and eighth rounds).
 *
 *   pnpm exec tsx --tsconfig tsconfig.json benchmarks/src/gan-average-probe.ts \
 *     --seed 2 --iterations 85000 --threads 1 --averages 0.99999:1,0.99998:1 \
 *     [--set '{"adamBetas":[0.5,0.9]}'] [--images DIR]
 *
 * --set overrides fields of the preset's config (JSON; e.g. r1Gamma, lrAnneal, adamBetas). The
 * run is capped by iterations, not minutes (the epochs are ceil(iterations / iterations per
 * epoch), so a learning-rate anneal ends at the last whole epoch).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Generator, useDevice } from '@saddle/autograd';
import { ExponentialMovingAverage } from '@saddle/nn';
import {
  frozenCopyOf,
  GanTrainer,
  type GeneratorNet,
  generateSamples,
  imageGrid,
  loadMnist,
  preset,
  PRESET_NAMES,
  table1Parzen,
  type GanConfig,
  type PresetName,
} from '@saddle/gan';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    seed: { type: 'string', default: '2' },
    iterations: { type: 'string', default: '85000' },
    threads: { type: 'string', default: '2' },
    averages: { type: 'string', default: '0.99999:1,0.99998:1' },
    set: { type: 'string', default: '{}' },
    images: { type: 'string' },
  },
});
const presetName = values.preset as PresetName;
if (!PRESET_NAMES.includes(presetName)) throw new Error(`--preset ${values.preset}: expected one of ${PRESET_NAMES.join(', ')}`);
const seed = Number(values.seed);
const iterations = Number(values.iterations);
const averages = values.averages.split(',').map((pair) => {
  const [decay, rampup] = pair.split(':').map(Number);
  if (!(decay! >= 0 && decay! < 1) || !(rampup! >= 0)) throw new Error(`--averages ${pair}: expected DECAY:RAMPUP, DECAY in [0, 1), RAMPUP >= 0`);
  return { decay: decay!, rampup: rampup! };
});

const device = await useDevice('wasm', { threads: Number(values.threads) });
const mnist = await loadMnist();
const base = preset(presetName);
const train = { images: mnist.train.images, n: mnist.train.n, d: 784 };
const perEpoch = Math.floor(train.n / base.batch);
const config: GanConfig = {
  ...base,
  seed,
  epochs: Math.ceil(iterations / perEpoch),
  minutes: null,
  valN: 0,
  ...(JSON.parse(values.set) as Partial<GanConfig>),
};
console.log(`${presetName}, seed ${seed}, ${iterations} iterations, overrides ${values.set}; ${device.name}`);
const trainer = new GanTrainer(config, train, device);

// Each extra average starts as a copy of G, as the trainer's own does.
const extras = averages.map(({ decay, rampup }) => {
  const net = frozenCopyOf(trainer.G, device);
  return { name: `average ${decay}, warm-up ${rampup}`, net, ema: new ExponentialMovingAverage(trainer.G.parameters(), net.parameters(), decay, { rampup }) };
});

// One G step per iteration (k_G = 1): the extra averages follow after each one.
let averaged = 0;
const followG = (): boolean => {
  const behind = trainer.totalIterations - averaged;
  if (behind > 1) throw new Error(`the extra averages missed ${behind - 1} G steps: the probe needs one G step per iteration`);
  if (behind === 1) {
    extras.forEach((x) => x.ema.update());
    averaged++;
  }
  return trainer.totalIterations >= iterations;
};
const t0 = performance.now();
while (trainer.epoch < config.epochs && trainer.totalIterations < iterations) {
  await trainer.runEpoch({ shouldStop: followG });
  followG();
  if (trainer.epoch % 5 === 0) console.log(`epoch ${trainer.epoch}: ${trainer.totalIterations} iterations, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

if (values.images) mkdirSync(values.images, { recursive: true });
const evaluate = async (name: string, G: GeneratorNet) => {
  if (values.images) {
    const x = generateSamples(G, 100, config.zDist, new Generator(12345), device);
    const file = join(values.images, `${name.replace(/[^a-z0-9.]+/gi, '-')}.png`);
    writeFileSync(file, imageGrid(Float32Array.from(await x.toArray()), { rows: 10, cols: 10 }));
    x.dispose();
  }
  const r = await table1Parzen(G, config.zDist, mnist, device, { n: 10000, seed, testN: 10000, valN: 1000, speckle: true });
  const s = r.speckle!;
  console.log(
    `${name}: Parzen ${r.mean.toFixed(1)} ± ${r.stdErr.toFixed(1)} (sigma ${r.sigma.toPrecision(3)}), specks ${s.specksPerImage.toFixed(3)} per sample (${(100 * s.imagesWithSpecks).toFixed(1)}% with one or more)`,
  );
};
console.log(`${trainer.totalIterations} iterations in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
if (trainer.Gema) await evaluate(`the preset's average (${config.gEma}, warm-up ${config.gEmaRampup ?? 0})`, trainer.Gema);
for (const x of extras) await evaluate(x.name, x.net);
await evaluate("G's own weights", trainer.G);
