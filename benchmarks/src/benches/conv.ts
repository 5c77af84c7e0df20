/**
 * conv: conv2d and convTranspose2d, forward and backward (the input's and the weight's gradient),
 * at the shapes of the `conv` GAN preset and a few common ones.
 *
 * saddle is NCHW with PyTorch's weight layouts (conv2d [Cout, Cin, kH, kW], convTranspose2d
 * [Cin, Cout, kH, kW]); tfjs's conv2d and conv2dTranspose are NHWC with filters [kH, kW, in, out]
 * and [kH, kW, out, in]. Each case's inputs are made once in saddle's layout; tfjs's copies are
 * transposed once at set-up, outside the timed region, and its outputs are transposed back to
 * saddle's layout for the same-math check (also outside the timed region). So the timed work of
 * both libraries is the convolution in its own native layout.
 *
 * - fwd: y = conv2d(x, w, {stride, padding}) (saddle's op; tfjs `tf.conv2d` with explicit padding),
 *   or y = convTranspose2d(x, w, {stride, padding}) (tfjs `tf.conv2dTranspose`, pad 'same', which
 *   for 4x4 stride 2 is PyTorch's padding 1: output twice the input's side).
 * - bwd: dx and dw for an upstream gradient dy through each library's autodiff (saddle `runBackward`
 *   of the recorded op; tfjs `tf.grads`), forward pass included. The bias is left out (its gradient
 *   is a sum over dy, the same in both).
 *
 * GAN shapes: D's two 4x4 stride-2 convolutions on the stacked real + fake batch (B = 100), G's two
 * 4x4 stride-2 transposed convolutions on one batch (B = 50). Common: 3x3 stride 1, 5x5 stride 2,
 * 1x1, and DCGAN's generator layer (convTranspose2d 4x4 stride 2, 128 -> 64 channels).
 * Inputs are seeded uniform values in [-1, 1); figures are milliseconds per call and GFLOP/s
 * (2 flops per multiply-add of the direct sum; bwd counts dx and dw: twice fwd).
 */
import { fromArray, tidy, type Tensor } from '@saddle/tensor';
import { conv2d, convTranspose2d, detach, requiresGrad, runBackward } from '@saddle/autograd';
import type * as TF from '@tensorflow/tfjs-core';
import type { Bench, BenchCase, Instance, SaddleCtx, TfCtx } from '../harness.js';
import { BENCH_RATIOS, readJoined, readJoinedTf } from './common.js';
import { uniformData } from './matmul.js';

export interface ConvShape {
  /** What it is, for the label: 'D c0', '3x3 s1', ... */
  name: string;
  transposed: boolean;
  n: number;
  cin: number;
  /** Input side (square). */
  size: number;
  cout: number;
  k: number;
  stride: number;
  pad: number;
}

/** The conv GAN preset's layers (packages/gan/src/presets.ts) and common layers. */
export const CONV_SHAPES: ConvShape[] = [
  { name: 'gan D c0', transposed: false, n: 100, cin: 1, size: 28, cout: 16, k: 4, stride: 2, pad: 1 },
  { name: 'gan D c1', transposed: false, n: 100, cin: 16, size: 14, cout: 32, k: 4, stride: 2, pad: 1 },
  { name: 'gan G up0', transposed: true, n: 50, cin: 32, size: 7, cout: 16, k: 4, stride: 2, pad: 1 },
  { name: 'gan G up1', transposed: true, n: 50, cin: 16, size: 14, cout: 1, k: 4, stride: 2, pad: 1 },
  { name: '3x3 s1', transposed: false, n: 8, cin: 32, size: 32, cout: 32, k: 3, stride: 1, pad: 1 },
  { name: '5x5 s2', transposed: false, n: 8, cin: 32, size: 32, cout: 64, k: 5, stride: 2, pad: 2 },
  { name: '1x1', transposed: false, n: 8, cin: 64, size: 32, cout: 64, k: 1, stride: 1, pad: 0 },
  { name: 'dcgan G 4x4 s2', transposed: true, n: 8, cin: 128, size: 8, cout: 64, k: 4, stride: 2, pad: 1 },
];

/** Output side of a shape. */
export function convOutSize(s: ConvShape): number {
  return s.transposed ? (s.size - 1) * s.stride - 2 * s.pad + s.k : Math.floor((s.size + 2 * s.pad - s.k) / s.stride) + 1;
}

/** Multiply-adds of the forward pass: every (input pixel, output channel, tap) of a transposed conv, every (output pixel, input channel, tap) of a conv. */
export function convMacs(s: ConvShape): number {
  const o = convOutSize(s);
  return s.transposed ? s.n * s.cin * s.size * s.size * s.cout * s.k * s.k : s.n * s.cout * o * o * s.cin * s.k * s.k;
}

function label(s: ConvShape, mode: 'fwd' | 'bwd'): string {
  const op = s.transposed ? 'convT' : 'conv';
  return `${s.name} ${op} ${s.n}x${s.cin}x${s.size}x${s.size}->${s.cout} k${s.k} s${s.stride} ${mode}`;
}

export function convCase(s: ConvShape, mode: 'fwd' | 'bwd'): BenchCase {
  const o = convOutSize(s);
  type Shape4 = [number, number, number, number];
  const xShape: Shape4 = [s.n, s.cin, s.size, s.size];
  const wShape: Shape4 = s.transposed ? [s.cin, s.cout, s.k, s.k] : [s.cout, s.cin, s.k, s.k];
  const yShape: Shape4 = [s.n, s.cout, o, o];
  const seed = s.n * 131 + s.cin * 17 + s.size * 7 + s.cout + s.k + (s.transposed ? 5 : 0);
  let data: { x: Float32Array; w: Float32Array; dy: Float32Array } | null = null;
  const getData = () =>
    (data ??= {
      x: uniformData(
        xShape.reduce((a, b) => a * b),
        seed + 1,
      ),
      w: uniformData(
        wShape.reduce((a, b) => a * b),
        seed + 2,
      ),
      dy: uniformData(
        yShape.reduce((a, b) => a * b),
        seed + 3,
      ),
    });
  const geo = { stride: s.stride, padding: s.pad };

  const saddle = ({ device }: SaddleCtx): Instance => {
    const d = getData();
    const x = fromArray(d.x, xShape, { device });
    const w = fromArray(d.w, wShape, { device });
    const dy = fromArray(d.dy, yShape, { device });
    const xLeaf = requiresGrad(detach(x));
    const wLeaf = requiresGrad(detach(w));
    const op = (a: Tensor, b: Tensor) => (s.transposed ? convTranspose2d(a, b, geo) : conv2d(a, b, geo));
    const once = (): Tensor[] =>
      mode === 'fwd'
        ? [op(x, w)]
        : tidy(() => {
            const g = runBackward(op(xLeaf, wLeaf), dy, false, [xLeaf, wLeaf]);
            return [g.get(xLeaf)!, g.get(wLeaf)!];
          });
    return {
      run: () => {
        for (const t of once()) t.dispose();
      },
      output: async () => {
        const ts = once();
        const v = await readJoined(ts);
        for (const t of ts) t.dispose();
        return v;
      },
      dispose: () => {
        for (const t of [xLeaf, wLeaf, x, w, dy]) t.dispose();
      },
    };
  };

  const tfjs = ({ tf }: TfCtx): Instance => {
    const d = getData();
    // The one-time layout change (not timed): NCHW -> NHWC, PyTorch's weights -> tfjs's filters.
    const [x, f, dy] = tf.tidy(() => [
      tf.transpose(tf.tensor(d.x, xShape, 'float32'), [0, 2, 3, 1]),
      // conv2d [Cout, Cin, kH, kW] -> [kH, kW, Cin, Cout]; convTranspose2d [Cin, Cout, kH, kW] -> [kH, kW, Cout, Cin].
      tf.transpose(tf.tensor(d.w, wShape, 'float32'), [2, 3, 1, 0]),
      tf.transpose(tf.tensor(d.dy, yShape, 'float32'), [0, 2, 3, 1]),
    ]) as [TF.Tensor4D, TF.Tensor4D, TF.Tensor4D];
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [s.pad, s.pad],
      [s.pad, s.pad],
      [0, 0],
    ];
    const op = (a: TF.Tensor4D, b: TF.Tensor4D): TF.Tensor4D =>
      s.transposed ? tf.conv2dTranspose(a, b, [s.n, o, o, s.cout], s.stride, 'same') : tf.conv2d(a, b, s.stride, pad);
    const gs = tf.grads((a: TF.Tensor, b: TF.Tensor) => op(a as TF.Tensor4D, b as TF.Tensor4D));
    // tfjs-wasm has no Conv2DBackpropFilter kernel (tf.grads fails there): its filter gradient is
    // then a forward tf.conv2d with the batch as channels, the formula of saddle's own rule
    // (packages/autograd/src/rules/conv.ts), and dx comes from tf.grad. Said in the results' notes.
    const hasFilterGrad = tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;
    const gx = tf.grad((a: TF.Tensor) => op(a as TF.Tensor4D, f));
    const dwByConv = (): TF.Tensor =>
      tf.tidy(() => {
        // conv2d: dw[ky, kx, ci, co] = Σ_n,oy,ox x[n, oy·s − p + ky, ox·s − p + kx, ci] · dy[n, oy, ox, co]:
        //   input x as [Cin, H, W, N], filter dy as [H', W', N, Cout], stride 1, dilation s -> [Cin, kH', kW', Cout].
        // convTranspose2d: the roles of x and dy swap (dy is the larger map): input dy as [Cout, H', W', N],
        //   filter x as [H, W, N, Cin] -> [Cout, kH', kW', Cin].
        const [big, small] = s.transposed ? [dy, x] : [x, dy];
        const r = tf.conv2d(tf.transpose<TF.Tensor4D>(big, [3, 1, 2, 0]), tf.transpose<TF.Tensor4D>(small, [1, 2, 0, 3]), 1, pad, 'NHWC', s.stride);
        return tf.transpose(tf.slice(r, [0, 0, 0, 0], [-1, s.k, s.k, -1]), [1, 2, 0, 3]);
      });
    const backward = (): TF.Tensor[] => (hasFilterGrad ? gs([x, f], dy) : [gx(x, dy), dwByConv()]);
    const once = (): TF.Tensor[] => (mode === 'fwd' ? [op(x, f)] : backward());
    return {
      run: () => {
        for (const t of once()) t.dispose();
      },
      output: async () => {
        const ts = once();
        // Back to saddle's layouts for the check: y, dx NHWC -> NCHW; the filter's gradient -> PyTorch's.
        const back = tf.tidy(() =>
          mode === 'fwd' ? [tf.transpose(ts[0]!, [0, 3, 1, 2])] : [tf.transpose(ts[0]!, [0, 3, 1, 2]), tf.transpose(ts[1]!, [3, 2, 0, 1])],
        );
        const v = await readJoinedTf(back);
        for (const t of [...ts, ...back]) t.dispose();
        return v;
      },
      dispose: () => {
        for (const t of [x, f, dy]) t.dispose();
      },
    };
  };

  const macs = convMacs(s);
  return {
    label: label(s, mode),
    params: {
      mode,
      transposed: s.transposed,
      n: s.n,
      cin: s.cin,
      size: s.size,
      cout: s.cout,
      k: s.k,
      stride: s.stride,
      pad: s.pad,
      layout: 'saddle NCHW, tfjs NHWC (transposed outside the timed region)',
    },
    flops: 2 * macs * (mode === 'fwd' ? 1 : 2),
    // Each value sums up to Cin·k² products (dw: N·H'·W' of them) of values in [-1, 1).
    tolerance: 1e-5 * Math.max(16, Math.sqrt(mode === 'fwd' ? s.cin * s.k * s.k : s.n * o * o) * 4),
    saddle,
    tfjs,
  };
}

export function convBench(): Bench {
  return {
    name: 'conv',
    title: "conv2d and convTranspose2d (f32): the conv GAN preset's layers and common ones, forward and backward",
    description:
      "saddle's conv2d / convTranspose2d (NCHW, PyTorch's weight layouts) and their gradients through the tape, against tfjs-core's " +
      'conv2d / conv2dTranspose (NHWC; inputs transposed once outside the timed region, outputs transposed back for the check) and tf.grads. ' +
      "Shapes: the conv GAN preset's D (4x4 stride 2, B = 100) and G (transposed 4x4 stride 2, B = 50), 3x3 stride 1, 5x5 stride 2, 1x1, " +
      "and DCGAN's generator layer. bwd is dx and dw (forward included). Milliseconds per call.",
    ratios: BENCH_RATIOS,
    cases: CONV_SHAPES.flatMap((s) => [convCase(s, 'fwd'), convCase(s, 'bwd')]),
  };
}
