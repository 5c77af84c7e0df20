/**
 * One optimizer step of both players of the quick preset on wasm (one thread, the process's CPU
 * time; `--threads=2`: wall time): Adam, one kernel call per tensor (`adamUpdate`, the `Adam`
 * optimizer's path), against SGD with momentum (`sgdMomentumUpdateMany`, one multi-tensor call per
 * player, the `SGD` optimizer's), interleaved. Prints the median and lower
 * quartile of 41 reps of 20 steps each.
 *
 *   pnpm exec tsx --tsconfig tsconfig.json benchmarks/src/optimizer-probe.ts
 */
import { createWasmDevice, fromArray } from '@saddle/tensor';
import { adamUpdate, sgdMomentumUpdateMany } from '@saddle/ops';
import { cpuMs, interleaved } from './probe-support.js';

const threads = Number(process.argv.find((a) => a.startsWith('--threads='))?.slice(10) ?? 1);
const device = await createWasmDevice({ threads });
// The quick preset's G (100→384→384→784) and D (maxout 784→128×2→128×2→1), weights and biases.
const sizes = [38400, 384, 147456, 384, 301056, 784, 200704, 256, 32768, 256, 128, 1];
const filled = (n: number, seed: number) =>
  fromArray(
    new Float32Array(n).map((_, i) => 0.01 * Math.sin(i * seed)),
    [n],
    { device },
  );
const params = sizes.map((n) => filled(n, 2));
const grads = sizes.map((n) => filled(n, 3));
const m = sizes.map((n) => filled(n, 0));
const v = sizes.map((n) => filled(n, 0));
let step = 0;
const adam = () => {
  step++;
  params.forEach((p, i) => adamUpdate(p, grads[i]!, m[i]!, v[i]!, { lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, step }));
};
const sgd = () => {
  sgdMomentumUpdateMany(params.slice(0, 6), grads.slice(0, 6), m.slice(0, 6), { lr: 0.1, momentum: 0.7, weightDecay: 0 });
  sgdMomentumUpdateMany(params.slice(6), grads.slice(6), m.slice(6), { lr: 0.1, momentum: 0.7, weightDecay: 0 });
};
const times = interleaved({ adam, sgd }, { clock: threads === 1 ? cpuMs : () => performance.now() });
const elements = sizes.reduce((a, b) => a + b, 0);
for (const [name, xs] of Object.entries(times)) {
  console.log(
    `${name}: median ${xs[20]!.toFixed(3)} ms, lower quartile ${xs[10]!.toFixed(3)} ms of ${threads === 1 ? 'CPU' : 'wall'} time per step of both players (${elements} parameters, ${threads} thread(s))`,
  );
}
device.destroy();
