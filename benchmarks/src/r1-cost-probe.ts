/**
 * What the R1 gradient penalty (`--r1 GAMMA`, docs/gan.md) costs per GAN training iteration: the
 * ms per iteration of the trainer with R1 on every D step and with lazy R1 (every 4th D step),
 * each as a ratio to the same configuration without R1, timed in the same process.
 *
 *   npx tsx --tsconfig tsconfig.json benchmarks/src/r1-cost-probe.ts [paper|quick|tiny] [--device=wasm|webgpu|cpu] [--iters=N] [--repeats=N]
 *
 * Synthetic images (the cost does not depend on the pixels). The three trainers run alternately,
 * a block of N iterations each per repeat (each repeat starting with the next one), after a warm-up block each; a block ends with a read of
 * the statistics (a sync point on every device), so it covers all its work. Prints one JSON line
 * with the median ms per iteration of each and the ratios of the medians; on a shared machine run
 * it a few times.
 */
import { useDevice } from '@saddle/autograd';
import { GanTrainer, type PresetName } from '@saddle/gan';
import { benchConfig, describeConfig, steadyIteration, syntheticImages } from './benches/gan-iteration.js';
import { median } from './stats.js';

const args = process.argv.slice(2);
const option = (name: string, def: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const name = (args.find((a) => !a.startsWith('--')) ?? 'quick') as PresetName;
const iters = Number(option('iters', '20'));
const repeats = Number(option('repeats', '5'));

process.env.XDG_RUNTIME_DIR ??= '/tmp';
const device = await useDevice(option('device', 'wasm') as 'wasm' | 'webgpu' | 'cpu');
const base = benchConfig(name);
const n = base.batch * base.k * (iters + 1);
const images = { images: syntheticImages(n), n, d: base.generator.outDim };
const variants = {
  off: base,
  r1: { ...base, r1Gamma: 10 },
  lazy4: { ...base, r1Gamma: 10, r1Every: 4 },
};
const trainers = Object.entries(variants).map(([label, config]) => ({ label, trainer: new GanTrainer(config, images, device), ms: [] as number[] }));

async function block(t: GanTrainer, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) steadyIteration(t);
  await t.runningStats();
  return (performance.now() - t0) / count;
}

for (const { trainer } of trainers) {
  trainer.startEpoch();
  await block(trainer, Math.max(2, Math.ceil(iters / 4)));
}
// Each repeat starts with the next trainer, so no variant always runs after the same other one
// (the garbage one leaves is collected during the next one's block).
for (let r = 0; r < repeats; r++) {
  for (let i = 0; i < trainers.length; i++) {
    const t = trainers[(r + i) % trainers.length]!;
    t.ms.push(await block(t.trainer, iters));
  }
}
const msOff = median(trainers[0]!.ms);
const result: Record<string, unknown> = { preset: name, config: describeConfig(base), device: device.name, iters, repeats };
for (const t of trainers) {
  const m = median(t.ms);
  result[`${t.label}MsPerIteration`] = Number(m.toFixed(3));
  if (t.label !== 'off') result[`${t.label}Ratio`] = Number((m / msOff).toFixed(3));
}
console.log(JSON.stringify(result));
for (const { trainer } of trainers) trainer.dispose();
device.destroy();
