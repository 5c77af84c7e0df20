/**
 * Normalization as functions of tensors (PyTorch's `F.batch_norm`, `F.layer_norm`), built from the
 * differentiable ops (mean, sub, square, sqrt, div, mul, add), so that their gradients, and the
 * gradients of those, come from the ops' rules: `backward({ createGraph: true })` works through them.
 * The layers BatchNorm1d, BatchNorm2d and LayerNorm (layers/norm.ts) hold the parameters and buffers
 * and call these.
 */
import { SaddleError, add, copyInto, div, fmtShape, mean, mul, noGrad, reshape, sqrt, square, sub, tidy, type Tensor } from '@saddle/autograd';

/** batchNorm's options (PyTorch's defaults). */
export interface BatchNormOptions {
  /** Shape `[C]`: updated in place in training mode (with the unbiased batch variance); read in eval mode. */
  runningMean?: Tensor;
  runningVar?: Tensor;
  /** Affine scale and shift, `[C]`. */
  weight?: Tensor;
  bias?: Tensor;
  /** Normalize with the batch's statistics (true) or the running ones (false, the default, as PyTorch). */
  training?: boolean;
  /** running = (1 - momentum) running + momentum batch. Default 0.1. */
  momentum?: number;
  /** Added to the variance. Default 1e-5. */
  eps?: number;
}

/** layerNorm's options. */
export interface LayerNormOptions {
  /** Affine scale and shift, of the normalized shape. */
  weight?: Tensor;
  bias?: Tensor;
  /** Added to the variance. Default 1e-5. */
  eps?: number;
}

function checkFloat(op: string, x: Tensor): void {
  x.assertAlive(op);
  if (x.dtype !== 'f32' && x.dtype !== 'f64') throw new SaddleError(op, `x ${fmtShape(x.shape)} has dtype ${x.dtype}; expected f32 (or f64 on the CPU)`);
}

function checkEps(op: string, eps: number): void {
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new SaddleError(op, `eps is ${String(eps)}; expected a finite number > 0`);
}

function checkVector(op: string, name: string, t: Tensor | undefined, shape: readonly number[], x: Tensor): void {
  if (t === undefined) return;
  t.assertAlive(op);
  if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new SaddleError(op, `${name} has shape ${fmtShape(t.shape)}; expected ${fmtShape(shape)} for x of shape ${fmtShape(x.shape)}`);
  }
  if (t.dtype !== x.dtype) throw new SaddleError(op, `${name} has dtype ${t.dtype} but x has ${x.dtype}; expected the same dtype`);
}

/**
 * Batch normalization (Ioffe and Szegedy 2015) of x [N, C, ...] per channel C: (x - mean) /
 * sqrt(var + eps) · weight + bias. In training, mean and var are the batch's over N and the
 * spatial dims (var biased, dividing by their count n), and the running statistics, when given,
 * move by `momentum` toward the batch's: running_mean ← (1 - m) running_mean + m mean,
 * running_var ← (1 - m) running_var + m var · n / (n - 1) (unbiased), as PyTorch. In eval mode the
 * running statistics are used instead.
 */
export function batchNorm(x: Tensor, options: BatchNormOptions = {}): Tensor {
  const op = 'batchNorm';
  checkFloat(op, x);
  const { runningMean, runningVar, weight, bias, training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (x.rank < 2) throw new SaddleError(op, `x has shape ${fmtShape(x.shape)}; expected [N, C, ...] (rank 2 or more)`);
  checkEps(op, eps);
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1))
    throw new SaddleError(op, `momentum is ${String(momentum)}; expected a number in [0, 1]`);
  const c = x.shape[1]!;
  for (const [name, t] of [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ] as const)
    checkVector(op, name, t, [c], x);
  if ((runningMean === undefined) !== (runningVar === undefined))
    throw new SaddleError(op, 'one of runningMean and runningVar is given; expected both or neither');
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1));
  const n = x.size / Math.max(c, 1);
  let y: Tensor;
  if (training) {
    if (n <= 1) throw new SaddleError(op, `x has shape ${fmtShape(x.shape)}: ${n} value per channel; expected more than 1 value per channel when training`);
    const mu = mean(x, axes, true);
    const centered = sub(x, mu);
    const variance = mean(square(centered), axes, true);
    y = div(centered, sqrt(add(variance, eps)));
    if (runningMean && runningVar) {
      noGrad(() =>
        tidy(() => {
          copyInto(runningMean, add(mul(runningMean, 1 - momentum), mul(reshape(mu, [c]), momentum)));
          copyInto(runningVar, add(mul(runningVar, 1 - momentum), mul(reshape(variance, [c]), (momentum * n) / (n - 1))));
        }),
      );
    }
  } else {
    if (!runningMean || !runningVar)
      throw new SaddleError(op, 'training is false but runningMean and runningVar are missing; expected both (or training: true)');
    y = div(sub(x, reshape(runningMean, perChannel)), sqrt(add(reshape(runningVar, perChannel), eps)));
  }
  if (weight) y = mul(y, reshape(weight, perChannel));
  if (bias) y = add(y, reshape(bias, perChannel));
  return y;
}

/**
 * Layer normalization (Ba et al. 2016) over the last dims of x, `normalizedShape`: (x - mean) /
 * sqrt(var + eps) · weight + bias, mean and (biased) var over those dims for each leading index,
 * as PyTorch's `F.layer_norm`.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  checkFloat(op, x);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const { weight, bias, eps = 1e-5 } = options;
  checkEps(op, eps);
  const lead = x.rank - shape.length;
  if (shape.length === 0 || lead < 0 || shape.some((d, i) => d !== x.shape[lead + i])) {
    throw new SaddleError(op, `x has shape ${fmtShape(x.shape)}; expected its last dims to be normalizedShape ${fmtShape(shape)}`);
  }
  checkVector(op, 'weight', weight, shape, x);
  checkVector(op, 'bias', bias, shape, x);
  const axes = shape.map((_, i) => lead + i);
  const centered = sub(x, mean(x, axes, true));
  let y = div(centered, sqrt(add(mean(square(centered), axes, true), eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}
