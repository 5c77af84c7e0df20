import { SaddleError, add, div, keep, minimum, mul, noGrad, sqrt, square, sum, tidy, type Tensor } from '@saddle/autograd';

/**
 * Scales the gradients of `params` in place (their `.grad` is replaced) so that their joint L2 norm
 * is at most `maxNorm`, as PyTorch's `torch.nn.utils.clip_grad_norm_`: every gradient is multiplied
 * by min(1, maxNorm / (norm + 1e-6)). Parameters without a gradient are skipped. Returns the norm
 * before clipping, a scalar tensor on the parameters' device: nothing is read back, so clipping
 * adds a few small kernels to a step and no wait for the device.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): Tensor {
  checkMaxNorm('clipGradNorm', 'maxNorm', maxNorm);
  const withGrad = [...params].filter((p) => p.grad && !p.grad.isDisposed);
  if (withGrad.length === 0) throw new SaddleError('clipGradNorm', 'no parameter has a gradient; expected at least one (call backward() first)');
  return noGrad(() => {
    const norm = tidy(() => keep(sqrt(withGrad.map((p) => sum(square(p.grad!))).reduce((a, b) => add(a, b)))));
    const scaled = tidy(() => {
      const coef = minimum(div(maxNorm, add(norm, 1e-6)), 1);
      return withGrad.map((p) => keep(mul(p.grad!, coef)));
    });
    withGrad.forEach((p, i) => {
      p.grad!.dispose();
      p.grad = scaled[i]!;
    });
    return norm;
  });
}

/** A gradient-norm bound: a finite number > 0. */
export function checkMaxNorm(op: string, name: string, maxNorm: unknown): number {
  if (typeof maxNorm !== 'number' || !Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw new SaddleError(op, `${name} is ${String(maxNorm)}; expected a finite number > 0 (the largest gradient norm)`);
  }
  return maxNorm;
}
