/**
 * The moving average of G's parameters on wasm (one thread, the process's CPU time): the fused
 * emaUpdate against the path it replaced (a subtraction into a temporary per tensor, then the
 * multi-tensor SGD kernel with momentum 0 over scratch velocities), interleaved, on the quick
 * preset's G shapes. Prints the median and lower quartile of 41 reps of 20 updates each.
 *
 *   pnpm exec tsx --tsconfig tsconfig.json benchmarks/src/ema-probe.ts
 */
import { createWasmDevice, fromArray } from '@saddle/tensor';
import { binary, emaUpdate, sgdMomentumUpdateMany } from '@saddle/ops';
import { interleaved } from './probe-support.js';

const device = await createWasmDevice({ threads: 1 });
// The quick preset's G: 100→384→384→784, weights and biases.
const sizes = [38400, 384, 147456, 384, 301056, 784];
const filled = (n: number, seed: number) =>
  fromArray(
    new Float32Array(n).map((_, i) => Math.sin(i * seed)),
    [n],
    { device },
  );
const averages = sizes.map((n) => filled(n, 1));
const params = sizes.map((n) => filled(n, 2));
const velocities = sizes.map((n) => filled(n, 0));
const decay = 0.999;
const fused = () => averages.forEach((t, i) => emaUpdate(t, params[i]!, decay));
const unfused = () => {
  const diffs = averages.map((t, i) => binary('sub', t, params[i]!));
  sgdMomentumUpdateMany(averages, diffs, velocities, { lr: 1 - decay, momentum: 0, weightDecay: 0 });
  diffs.forEach((d) => d.dispose());
};
const times = interleaved({ fused, unfused });
for (const [name, xs] of Object.entries(times)) {
  console.log(`${name}: median ${xs[20]!.toFixed(3)} ms, lower quartile ${xs[10]!.toFixed(3)} ms of CPU time per update of G's average`);
}
device.destroy();
