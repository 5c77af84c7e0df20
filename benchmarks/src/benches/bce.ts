/**
 * sigmoid-BCE: the mean binary cross-entropy of sigmoid(logits) against targets, computed from the
 * logits (the GAN's losses), forward and forward + backward.
 *
 * - saddle forward: `sigmoidBce(logits, targets)` of @saddle/ops: one kernel (two past
 *   4096 elements: per-workgroup partial sums, then a finishing pass) evaluating the stable form
 *   max(z, 0) − z·t + log(1 + exp(−|z|)) and reducing it to the mean.
 * - tfjs forward: `tf.losses.sigmoidCrossEntropy(targets, logits)`, which evaluates the same stable
 *   form (relu(z) − z·t + log1p(exp(−|z|))) with elementwise ops, then a weighted mean.
 * - forward + backward through each library's autodiff: saddle records `sigmoidBce` on the tape
 *   and `runBackward` gives d/dz = (sigmoid(z) − t)/n from one `sigmoidBceGrad` kernel; tfjs runs
 *   `tf.valueAndGrad(z => tf.losses.sigmoidCrossEntropy(t, z))`, differentiating its op chain.
 *
 * Cases: D's logits [B, 1] with 0/1 targets, B = 100 (the G step) and 200 (the D step: real and
 * fake stacked), and two per-pixel variants ([100, 784] and [1000, 784], targets in [0, 1)) where
 * the reduction's bandwidth shows. Logits are uniform in [−6, 6). Milliseconds per call.
 */
import { fromArray, tidy, type Tensor } from '@saddle/tensor';
import { sigmoidBce as sigmoidBceKernel } from '@saddle/ops';
import { detach, requiresGrad, runBackward, sigmoidBce } from '@saddle/autograd';
import type * as TF from '@tensorflow/tfjs-core';
import type { Bench, BenchCase, Instance, SaddleCtx, TfCtx } from '../harness.js';
import { readJoined, readJoinedTf, BENCH_RATIOS } from './common.js';
import { uniformData } from './matmul.js';

export type BceMode = 'fwd' | 'fwd+bwd';

export interface BceShape {
  rows: number;
  cols: number;
  mode: BceMode;
}

export const BCE_SHAPES: BceShape[] = [
  { rows: 100, cols: 1, mode: 'fwd' },
  { rows: 200, cols: 1, mode: 'fwd' },
  { rows: 100, cols: 784, mode: 'fwd' },
  { rows: 1000, cols: 784, mode: 'fwd' },
  { rows: 100, cols: 1, mode: 'fwd+bwd' },
  { rows: 200, cols: 1, mode: 'fwd+bwd' },
  { rows: 100, cols: 784, mode: 'fwd+bwd' },
  { rows: 1000, cols: 784, mode: 'fwd+bwd' },
];

export function bceLabel(s: BceShape): string {
  return `${s.mode} [${s.rows},${s.cols}]${s.cols === 1 ? ' logits' : ' pixels'}`;
}

/** Logits uniform in [-6, 6); targets: for one column, the GAN's B/2 ones then B/2 zeros, else uniform in [0, 1). */
export function bceData(s: BceShape): { logits: Float32Array; targets: Float32Array } {
  const n = s.rows * s.cols;
  const logits = uniformData(n, 17 + n).map((v) => 6 * v);
  const targets = s.cols === 1 ? Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? 1 : 0)) : uniformData(n, 29 + n).map((v) => 0.5 * (v + 1));
  return { logits, targets };
}

export function bceCase(s: BceShape): BenchCase {
  const shape = [s.rows, s.cols];
  const n = s.rows * s.cols;
  let data: ReturnType<typeof bceData> | null = null;
  const getData = () => (data ??= bceData(s));

  const saddle = ({ device }: SaddleCtx): Instance => {
    const d = getData();
    const z = fromArray(d.logits, shape, { device });
    const t = fromArray(d.targets, shape, { device });
    const zLeaf = requiresGrad(detach(z));
    const once = (): Tensor[] =>
      s.mode === 'fwd'
        ? [sigmoidBceKernel(z, t)]
        : tidy(() => {
            const loss = sigmoidBce(zLeaf, t);
            const g = runBackward(loss, undefined, false, [zLeaf]);
            return [loss, g.get(zLeaf)!];
          });
    return {
      run: () => {
        for (const x of once()) x.dispose();
      },
      output: async () => {
        const ts = once();
        const v = await readJoined(ts);
        for (const x of ts) x.dispose();
        return v;
      },
      dispose: () => {
        zLeaf.dispose();
        z.dispose();
        t.dispose();
      },
    };
  };

  const tfjs = ({ tf }: TfCtx): Instance => {
    const d = getData();
    const z = tf.tensor(d.logits, shape, 'float32');
    const t = tf.tensor(d.targets, shape, 'float32');
    const loss = (logits: TF.Tensor) => tf.losses.sigmoidCrossEntropy(t, logits);
    const vg = tf.valueAndGrad(loss);
    const once = (): TF.Tensor[] => {
      if (s.mode === 'fwd') return [loss(z)];
      const { value, grad } = vg(z);
      return [value, grad];
    };
    return {
      run: () => {
        for (const x of once()) x.dispose();
      },
      output: async () => {
        const ts = once();
        const v = await readJoinedTf(ts);
        for (const x of ts) x.dispose();
        return v;
      },
      dispose: () => {
        z.dispose();
        t.dispose();
      },
    };
  };

  return {
    label: bceLabel(s),
    params: { mode: s.mode, rows: s.rows, cols: s.cols, elements: n },
    // A mean of n terms: the summation order differs between runners (saddle: a tree; tfjs-wasm: a
    // sequential f32 loop, whose error grows like √n·eps), so the tolerance grows like √n.
    tolerance: Math.max(1e-5, 4 * 6e-8 * Math.sqrt(n)),
    saddle,
    tfjs,
  };
}

export function bceBench(opts: { sizes?: number[] } = {}): Bench {
  const shapes = opts.sizes
    ? opts.sizes.flatMap((rows): BceShape[] => [
        { rows, cols: 1, mode: 'fwd' },
        { rows, cols: 1, mode: 'fwd+bwd' },
      ])
    : BCE_SHAPES;
  return {
    name: 'bce',
    title: 'sigmoid binary cross-entropy from logits (f32), forward and forward + backward',
    description:
      "saddle's fused sigmoid-BCE kernel (mean of max(z,0) − z·t + log(1+exp(−|z|))) and its gradient kernel, through the tape, against " +
      "tfjs-core's tf.losses.sigmoidCrossEntropy (the same stable formula as an op chain) and tf.valueAndGrad. D's logits [B, 1] " +
      '(B = 100 for the G step, 200 for the stacked D step) and per-pixel variants [100, 784], [1000, 784]. Milliseconds per call.',
    ratios: BENCH_RATIOS,
    cases: shapes.map(bceCase),
  };
}
