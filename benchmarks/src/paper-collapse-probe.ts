/**
 * Issue 24 item 9 (the paper preset in the page): how alike are G's samples after N iterations of
 * the paper preset, with the authors' simultaneous update (the page's default) and with Algorithm 1's
 * alternating update? Diversity = the mean pairwise L2 distance between 100 samples of G for fixed z
 * (0 when every sample is the same image); real digits give about 9.8.
 *
 *   pnpm exec tsx --tsconfig tsconfig.json benchmarks/src/paper-collapse-probe.ts [iterations...]
 */
import { createWasmDevice } from '@saddle/tensor';
import { Generator, noGrad } from '@saddle/autograd';
import { GanTrainer, loadMnist, preset } from '@saddle/gan';

const marks = process.argv.slice(2).map(Number);
const at = marks.length ? marks : [500, 1500, 2500];
const meanPairwise = (x: ArrayLike<number>, n: number, d: number) => {
  let sum = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += (x[i * d + p]! - x[j * d + p]!) ** 2;
      sum += Math.sqrt(s);
    }
  return sum / ((n * (n - 1)) / 2);
};
const mnist = await loadMnist();
const device = await createWasmDevice();
console.log(`real digits (100 validation images): ${meanPairwise(mnist.validation.images, 100, 784).toFixed(3)}`);
for (const update of ['simultaneous', 'alternating'] as const) {
  const t = new GanTrainer({ ...preset('paper'), update }, { ...mnist.train, d: 784 }, device, { ...mnist.validation, d: 784 });
  for (const mark of at) {
    // runEpoch stops between two iterations when asked, and carries on mid-epoch when called again.
    while (t.totalIterations < mark) await t.runEpoch({ shouldStop: () => t.totalIterations >= mark });
    const x = await noGrad(() => t.G.forward(t.sampleZ(100, new Generator(7)))).toArray();
    console.log(`${update}, ${t.totalIterations} iterations: mean pairwise distance of 100 samples ${meanPairwise(x, 100, 784).toFixed(3)}`);
  }
  t.dispose();
}
device.destroy();
