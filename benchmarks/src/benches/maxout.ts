/**
 * maxout: the discriminator's nonlinearity, forward and forward + backward, at the paper's shapes.
 *
 * The paper's D has two maxout layers of 240 units × 5 pieces; each takes pre-activations
 * [B, 1200] (a [B, in]·[in, 1200] product plus bias) to [B, 240]. D sees a real and a fake batch,
 * so B is 100 (one batch) or 200 (the trainer stacks both into one [200, 784] batch).
 *
 * - saddle forward: `maxout(x, 5)` of @saddle/ops: one kernel writes the max of each unit's
 *   5 adjacent columns and the winning piece (i32), which the backward pass scatters through.
 * - tfjs forward: `tf.max(tf.reshape(x, [B, 240, 5]), -1)` (the reshape is free; a max reduction).
 * - forward + backward, through each library's autodiff: saddle records `maxout` on the tape and
 *   runs `runBackward(out, dy, …, [x])` (the maxout kernel, then `maxoutBackward`'s scatter);
 *   tfjs runs `tf.grad(x => tf.max(tf.reshape(x, …), -1))(x, dy)` (its max gradient compares x
 *   with the broadcast max and multiplies by dy).
 * - +dropout: maxout followed by D's dropout of its output (keep 0.5), forward + backward. saddle
 *   runs its fused `maxoutDropout` kernel (one kernel draws the mask from its Philox stream and
 *   writes the masked max; the backward scatter multiplies by the mask); tfjs multiplies the max by
 *   a mask made as `tf.dropout` makes it (floor(U[0, 1) + keep) / keep, drawn in JavaScript). The
 *   check replays saddle's mask (the same stream drawn by the CPU twin) in tfjs.
 * - layer: the whole maxout layer 784 → 240×5 as D's first layer runs it in the D step: z = x·W + b
 *   (one fused matmul + bias), maxout, and the gradients with respect to W and b for an upstream
 *   gradient dy; tfjs with `tf.fused.matMul({ a, b, bias })`, reshape, max, and `tf.grads`.
 *
 * Inputs are seeded uniform values in [-1, 1) (no ties, so both libraries pick the same piece and
 * the gradients agree exactly); figures are milliseconds per call (these are small, launch-bound
 * kernels at the paper's sizes; the 5000-row case shows the bandwidth-bound regime).
 */
import { fromArray, tidy, type Tensor } from '@saddle/tensor';
import { maxout as maxoutKernel } from '@saddle/ops';
import { Generator, cpu, detach, dropoutMask, matmul, maxout, maxoutDropout, requiresGrad, runBackward } from '@saddle/autograd';
import type * as TF from '@tensorflow/tfjs-core';
import type { Bench, BenchCase, Instance, SaddleCtx, TfCtx } from '../harness.js';
import { readJoined, readJoinedTf, tfDropoutMask, BENCH_RATIOS } from './common.js';
import { uniformData } from './matmul.js';

export const UNITS = 240;
export const PIECES = 5;

export type MaxoutMode = 'fwd' | 'fwd+bwd' | 'dropout' | 'layer';

/** D's dropout on a hidden layer's output (the next layer's input): keep 0.5. */
export const KEEP_HIDDEN = 0.5;
const MASK_SEED = 99;

export interface MaxoutShape {
  batch: number;
  mode: MaxoutMode;
  units?: number;
  pieces?: number;
  /** Input features of the layer (mode 'layer' only): 784 for D's first layer. */
  inFeatures?: number;
}

/** The cases: the paper's batches (100, 200) in each mode, and one large batch for bandwidth. */
export const MAXOUT_SHAPES: MaxoutShape[] = [
  { batch: 100, mode: 'fwd' },
  { batch: 200, mode: 'fwd' },
  { batch: 5000, mode: 'fwd' },
  { batch: 100, mode: 'fwd+bwd' },
  { batch: 200, mode: 'fwd+bwd' },
  { batch: 5000, mode: 'fwd+bwd' },
  { batch: 100, mode: 'dropout' },
  { batch: 200, mode: 'dropout' },
  { batch: 100, mode: 'layer', inFeatures: 784 },
  { batch: 200, mode: 'layer', inFeatures: 784 },
];

/** Short (it labels a chart row): the shapes are in the params and the description. */
export function maxoutLabel(s: MaxoutShape): string {
  const u = s.units ?? UNITS;
  const p = s.pieces ?? PIECES;
  const size = u === UNITS && p === PIECES ? '' : ` ${u}×${p}`;
  if (s.mode === 'layer') return `layer ${s.inFeatures ?? 784}→${u}×${p} fwd+bwd B=${s.batch}`;
  if (s.mode === 'dropout') return `+dropout fwd+bwd B=${s.batch}${size}`;
  return `${s.mode} B=${s.batch}${size}`;
}

export function maxoutCase(s: MaxoutShape): BenchCase {
  const B = s.batch;
  const units = s.units ?? UNITS;
  const pieces = s.pieces ?? PIECES;
  const cols = units * pieces;
  const inF = s.inFeatures ?? 784;
  const seed = B * 31 + cols + (s.mode === 'layer' ? 7 : 0);
  let data: { x: Float32Array; dy: Float32Array; w: Float32Array | null; b: Float32Array | null } | null = null;
  const getData = () =>
    (data ??=
      s.mode === 'layer'
        ? { x: uniformData(B * inF, seed + 1), dy: uniformData(B * units, seed + 2), w: uniformData(inF * cols, seed + 3), b: uniformData(cols, seed + 4) }
        : { x: uniformData(B * cols, seed + 1), dy: uniformData(B * units, seed + 2), w: null, b: null });
  const xShape = s.mode === 'layer' ? [B, inF] : [B, cols];

  const saddle = ({ device }: SaddleCtx): Instance => {
    const d = getData();
    const x = fromArray(d.x, xShape, { device });
    const dy = fromArray(d.dy, [B, units], { device });
    const w = d.w ? fromArray(d.w, [inF, cols], { device }) : null;
    const b = d.b ? fromArray(d.b, [cols], { device }) : null;
    // Leaves for autodiff: views of the inputs (no copy) marked as requiring grad.
    const xLeaf = requiresGrad(detach(x));
    const wLeaf = w ? requiresGrad(detach(w)) : null;
    const bLeaf = b ? requiresGrad(detach(b)) : null;
    // The dropout mode's pass: the fused kernel, maxout and the dropout of its output (mask drawn
    // in-kernel from `generator`), then the backward scatter through the winning piece, times the mask.
    const dropoutPass = (generator: Generator): Tensor[] =>
      tidy(() => {
        const { out } = maxoutDropout(xLeaf, pieces, KEEP_HIDDEN, { generator });
        const g = runBackward(out, dy, false, [xLeaf]);
        return [out, g.get(xLeaf)!];
      });
    let once: () => Tensor[];
    if (s.mode === 'fwd') {
      once = () => {
        const r = maxoutKernel(x, pieces);
        r.argmax.dispose();
        return [r.out];
      };
    } else if (s.mode === 'fwd+bwd') {
      once = () =>
        tidy(() => {
          const { out } = maxout(xLeaf, pieces);
          const g = runBackward(out, dy, false, [xLeaf]);
          return [out, g.get(xLeaf)!];
        });
    } else if (s.mode === 'dropout') {
      const generator = new Generator(MASK_SEED);
      once = () => dropoutPass(generator);
    } else {
      once = () =>
        tidy(() => {
          const z = matmul(x, wLeaf!, { bias: bLeaf! });
          const { out } = maxout(z, pieces);
          const g = runBackward(out, dy, false, [wLeaf!, bLeaf!]);
          return [g.get(wLeaf!)!, g.get(bLeaf!)!];
        });
    }
    return {
      run: () => {
        for (const t of once()) t.dispose();
      },
      output: async () => {
        // The dropout mode's check draws its mask from a fresh stream, which tfjs's check replays.
        const ts = s.mode === 'dropout' ? dropoutPass(new Generator(MASK_SEED)) : once();
        const v = await readJoined(ts);
        for (const t of ts) t.dispose();
        return v;
      },
      dispose: () => {
        for (const t of [xLeaf, wLeaf, bLeaf, x, dy, w, b]) t?.dispose();
      },
    };
  };

  const tfjs = ({ tf }: TfCtx): Instance => {
    const d = getData();
    const x = tf.tensor(d.x, xShape, 'float32');
    const dy = tf.tensor(d.dy, [B, units], 'float32');
    const w = d.w ? tf.tensor(d.w, [inF, cols], 'float32') : null;
    const b = d.b ? tf.tensor(d.b, [cols], 'float32') : null;
    const mo = (z: TF.Tensor) => tf.max(tf.reshape(z, [B, units, pieces]), -1);
    let once: () => TF.Tensor[];
    let check: (() => TF.Tensor[]) | null = null;
    if (s.mode === 'fwd') {
      once = () => [mo(x)];
    } else if (s.mode === 'fwd+bwd') {
      const vg = tf.valueAndGrad((z: TF.Tensor) => mo(z));
      once = () => {
        const { value, grad } = vg(x, dy);
        return [value, grad];
      };
    } else if (s.mode === 'dropout') {
      // tf.dropout's own recipe, with the mask kept explicit: floor(U[0, 1) + keep) / keep.
      const drawn = () => tfDropoutMask(tf, [B, units], KEEP_HIDDEN);
      const run = (mask: () => TF.Tensor) => {
        const vg = tf.valueAndGrad((z: TF.Tensor) => tf.mul(mo(z), mask()));
        const { value, grad } = vg(x, dy);
        return [value, grad];
      };
      once = () => tf.tidy(() => run(drawn));
      check = () => {
        const m = dropoutMask([B, units], KEEP_HIDDEN, { generator: new Generator(MASK_SEED), device: cpu });
        const values = Float32Array.from(m.storage.data as Float32Array);
        m.dispose();
        return tf.tidy(() => run(() => tf.tensor(values, [B, units], 'float32')));
      };
    } else {
      const gs = tf.grads((wt: TF.Tensor, bt: TF.Tensor) => mo(tf.fused.matMul({ a: x, b: wt, bias: bt })));
      once = () => gs([w!, b!], dy);
    }
    return {
      run: () => {
        for (const t of once()) t.dispose();
      },
      output: async () => {
        const ts = (check ?? once)();
        const v = await readJoinedTf(ts);
        for (const t of ts) t.dispose();
        return v;
      },
      dispose: () => {
        for (const t of [x, dy, w, b]) t?.dispose();
      },
    };
  };

  return {
    label: maxoutLabel(s),
    params: {
      mode: s.mode,
      batch: B,
      units,
      pieces,
      ...(s.mode === 'layer' ? { inFeatures: inF } : {}),
      ...(s.mode === 'dropout' ? { keep: KEEP_HIDDEN } : {}),
    },
    // Selection and scatter are exact; the layer's dW sums B products per element.
    tolerance: s.mode === 'layer' ? 1e-5 * Math.max(16, Math.sqrt(B) * 4) : 1e-6,
    saddle,
    tfjs,
  };
}

export function maxoutBench(opts: { sizes?: number[] } = {}): Bench {
  const shapes = opts.sizes
    ? opts.sizes.flatMap((batch): MaxoutShape[] => [
        { batch, mode: 'fwd' },
        { batch, mode: 'fwd+bwd' },
        { batch, mode: 'layer', inFeatures: 784 },
      ])
    : MAXOUT_SHAPES;
  return {
    name: 'maxout',
    title: 'maxout: 240 units × 5 pieces (f32), forward and forward + backward',
    description:
      "saddle's maxout kernel (and its backward scatter, through the tape) against tfjs-core's reshape + max (and tf.grad), " +
      "at the paper's discriminator shapes: pre-activations [B, 1200] → [B, 240], B = 100 (one batch) and 200 (real and fake stacked), " +
      'plus a 5000-row batch; maxout with the dropout of its output (keep 0.5: saddle fused in one kernel, tfjs as tf.dropout does it); ' +
      'and the whole first maxout layer of D (784 → 240×5: fused matmul + bias, maxout, gradients of W and b). ' +
      'Milliseconds per call.',
    ratios: BENCH_RATIOS,
    cases: shapes.map(maxoutCase),
  };
}
