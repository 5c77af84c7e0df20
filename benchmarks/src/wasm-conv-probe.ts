/**
 * saddle's wasm conv2d / convTranspose2d (every thread) against tfjs-wasm (one thread in Node), the
 * forward pass on a few shapes: the convolutional GAN's (a D-like 5 x 5 stride-2 conv, a G-like
 * 4 x 4 stride-2 transposed conv) and common ones (3 x 3 stride 1, 1 x 1). A quick probe until
 * `pnpm bench conv` exists: medians of 5 calls after one warm-up, wall clock, so on a shared
 * machine read the ratio of one run, not the times. tfjs gets NHWC data and HWIO filters (its
 * layouts), transposed before timing.
 *
 *   pnpm exec tsx --conditions=source benchmarks/src/wasm-conv-probe.ts
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createWasmDevice, fromArray } from '@saddle/tensor';
import { conv2d, convTranspose2d } from '@saddle/ops';
import { uniformData } from './benches/matmul.js';

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
tf.env().set('PROD', true);
tfWasm.setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm');
const device = await createWasmDevice();

interface Case {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: number;
  padding: number;
  transposed: boolean;
}
const CASES: Case[] = [
  { name: 'D-like conv 5x5 s2', x: [64, 1, 28, 28], w: [64, 1, 5, 5], stride: 2, padding: 2, transposed: false },
  { name: 'D-like conv 5x5 s2', x: [64, 64, 14, 14], w: [128, 64, 5, 5], stride: 2, padding: 2, transposed: false },
  { name: 'conv 3x3 s1', x: [16, 32, 32, 32], w: [32, 32, 3, 3], stride: 1, padding: 1, transposed: false },
  { name: 'conv 1x1', x: [16, 64, 16, 16], w: [64, 64, 1, 1], stride: 1, padding: 0, transposed: false },
  { name: 'G-like convTranspose 4x4 s2', x: [64, 128, 7, 7], w: [128, 64, 4, 4], stride: 2, padding: 1, transposed: true },
];

/** Median of 5 timed calls after a warm-up, in ms. */
function median(fn: () => void): number {
  fn();
  const times = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  });
  return times.sort((a, b) => a - b)[2]!;
}

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
for (const c of CASES) {
  const [xv, wv] = [uniformData(size(c.x), 1), uniformData(size(c.w), 2)];
  const x = fromArray(xv, c.x, { device });
  const w = fromArray(wv, c.w, { device });
  const opts = { stride: c.stride, padding: c.padding };
  const ours = median(() => (c.transposed ? convTranspose2d(x, w, opts) : conv2d(x, w, opts)).dispose());
  const xt = tf.transpose(tf.tensor4d(xv, c.x), [0, 2, 3, 1]);
  // tfjs filters: conv2d [kH, kW, in, out]; conv2dTranspose [kH, kW, out, in]. Both are w permuted [2, 3, 1, 0].
  const wt = tf.transpose(tf.tensor4d(wv, c.w), [2, 3, 1, 0]);
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [c.padding, c.padding],
    [c.padding, c.padding],
    [0, 0],
  ];
  const out = c.transposed ? (c.x[2] - 1) * c.stride - 2 * c.padding + c.w[2] : 0;
  const theirs = median(() =>
    tf.tidy(() => {
      const y = c.transposed
        ? tf.conv2dTranspose(xt, wt, [c.x[0], out, out, c.w[1]], c.stride, 'same')
        : tf.conv2d(xt, wt, c.stride, c.padding === 0 ? 'valid' : pad);
      y.dataSync();
    }),
  );
  console.log(
    `${c.name} x ${JSON.stringify(c.x)} w ${JSON.stringify(c.w)}: saddle-wasm ${ours.toFixed(1)} ms, tfjs-wasm ${theirs.toFixed(1)} ms, tfjs/saddle ${(theirs / ours).toFixed(2)}`,
  );
  x.dispose();
  w.dispose();
}
process.exit(0);
