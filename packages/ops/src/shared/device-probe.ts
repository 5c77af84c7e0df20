import { autoProbe, fromArray, tidy, type Device, type Tensor } from '@saddle/tensor';
import { matmul } from '../matmul/matmul.js';
import { maxout, maxoutBackward } from '../maxout/maxout.js';
import { maxoutDropout } from '../maxout/maxout-dropout.js';
import { sigmoidBce, sigmoidBceGrad } from '../bce/bce.js';
import { rand, randn } from '../random/random.js';
import { dropout } from '../dropout/dropout.js';
import { sgdMomentumUpdateMany } from '../optim/optim.js';
import { add, sigmoid } from '../elementwise/elementwise.js';
import { sum } from '../reduce/reduce.js';

const N = 256;
const RUNS = 6;

/**
 * Runs every op family the GAN trainer uses once on tiny tensors, so a device that lacks one (a
 * wasm kernel not written yet) fails the probe instead of failing mid-training.
 */
function everyOpRuns(device: Device): void {
  tidy(() => {
    const x = fromArray([0.5, -1, 2, 0.25, 1, -2, 3, 0.5], [2, 4], { device });
    const w = rand([4, 4], { device, seed: 1 });
    const h = matmul(x, w, { transB: true, bias: randn([4], { device, seed: 2 }), activation: 'relu' });
    const m = maxout(h, 2);
    maxoutBackward(m.out, m.argmax, 2);
    maxoutDropout(h, 2, 0.5, { seed: 3 });
    const d = dropout(sigmoid(x), 0.8, { seed: 4 });
    sigmoidBce(d.out, 1);
    sigmoidBceGrad(d.out, 0);
    sum(add(h, 1), 0);
    const p: Tensor[] = [rand([4, 4], { device, seed: 5 })];
    sgdMomentumUpdateMany(p, [fromArray(new Float32Array(16), [4, 4], { device })], [fromArray(new Float32Array(16), [4, 4], { device })], { lr: 0.1, momentum: 0.5 });
  });
}

/**
 * The workload `useDevice('auto')` times on wasm and on a software WebGPU adapter to pick the
 * faster (a hardware GPU is taken without a probe): a 256x256x256 matmul, the op that dominates
 * training, once to warm up (pipeline compilation, first touch of memory), then RUNS times,
 * synchronised by reading the last result. Returns milliseconds per product. First every op the
 * trainer needs runs once: a device missing one throws here, and loses.
 */
export async function matmulProbe(device: Device): Promise<number> {
  everyOpRuns(device);
  const values = Float32Array.from({ length: N * N }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const a = fromArray(values, [N, N], { device });
  const b = fromArray(values, [N, N], { device });
  try {
    const warm = matmul(a, b);
    await warm.toArray();
    warm.dispose();
    const t0 = performance.now();
    let last: Tensor | null = null;
    for (let i = 0; i < RUNS; i++) {
      last?.dispose();
      last = matmul(a, b);
    }
    await last!.toArray();
    last!.dispose();
    return (performance.now() - t0) / RUNS;
  } finally {
    a.dispose();
    b.dispose();
  }
}

autoProbe.run = matmulProbe;
autoProbe.label = `every trainer op once, then matmul ${N}x${N}x${N} (ms per product, mean of ${RUNS})`;
