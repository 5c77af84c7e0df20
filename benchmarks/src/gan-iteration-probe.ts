/**
 * Times GAN training iterations (GanTrainer.iteration, the trainer's own hot path) on the current
 * WebGPU adapter and counts what each asks of the device.
 *
 *   npx tsx --tsconfig tsconfig.json benchmarks/src/gan-iteration-probe.ts [paper|quick|tiny] [--iters=N] [--warmup=N] [--repeats=N] [--wait=auto|poll|sleep]
 *
 * Synthetic images (uniform pixels; the cost of an iteration does not depend on them). After the
 * warm-up (pipelines compiled, pool filled), each repeat runs N iterations back to back and waits
 * for the GPU (`await device.sync()`), so the time covers recording, submits and the GPU's work.
 * Prints one JSON line: dispatches and readbacks per iteration, and ms per iteration over the
 * repeats (min, lower quartile, median: on a shared machine the low quantiles are the stable ones;
 * compare two builds by running them alternately, several times). `--wait` picks how the device
 * waits for the GPU (WebGpuOptions.wait): compare `poll` and `sleep` the same way.
 */
import { createWebGpuDevice } from '@saddle/tensor';
import { GanTrainer, type PresetName } from '@saddle/gan';
import { benchConfig, steadyIteration, syntheticImages } from './benches/gan-iteration.js';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const name = (args.find((a) => !a.startsWith('--')) ?? 'paper') as PresetName;
const iters = flag('iters', 10);
const warmup = flag('warmup', 3);
const repeats = flag('repeats', 3);
const wait = (args.find((a) => a.startsWith('--wait='))?.split('=')[1] ?? 'auto') as 'auto' | 'poll' | 'sleep';

process.env.XDG_RUNTIME_DIR ??= '/tmp';
const device = await createWebGpuDevice({ wait });
const config = benchConfig(name);
const n = config.batch * (iters + warmup + 1) * config.k;
const d = config.generator.outDim;
const trainer = new GanTrainer(config, { images: syntheticImages(n), n, d }, device);
const iteration = () => steadyIteration(trainer);
trainer.startEpoch();
for (let i = 0; i < warmup; i++) iteration();
await device.sync();
const c0 = { ...device.counters };
iteration();
await device.sync();
const per = { dispatches: device.counters.dispatches - c0.dispatches, readbacks: device.counters.readbacks - c0.readbacks };
const round = (v: number) => Math.round(v * 10) / 10;
const quantiles = (t: number[]) => {
  const a = [...t].sort((x, y) => x - y);
  return { min: round(a[0]!), p25: round(a[a.length >> 2]!), median: round(a[a.length >> 1]!) };
};
const times: number[] = [];
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) iteration();
  await device.sync();
  times.push((performance.now() - t0) / iters);
  await new Promise(setImmediate);
}
console.log(
  JSON.stringify({
    preset: name,
    device: device.name,
    wait: device.waitMode,
    dispatchesPerIteration: per.dispatches,
    readbacksPerIteration: per.readbacks,
    iters,
    repeats,
    msPerIteration: quantiles(times),
  }),
);
trainer.dispose();
device.destroy();
