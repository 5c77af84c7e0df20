import { SaddleError, Tensor, fromArray, isFloat } from '@saddle/tensor';
import { concat, mul, reshape, sum } from './ops.js';
import { enableGrad } from './grad-mode.js';
import { grad } from './functional.js';
import { GradcheckError, gradcheck, randomProjection, type GradcheckOptions, type GradcheckReport } from './gradcheck.js';

/**
 * Checks the second derivatives of `fn` at `inputs`: runs `gradcheck` on the function
 *
 *   x ↦ ∇ₓ <P, fn(x)>     (the first-order gradients, flattened and concatenated)
 *
 * where P is a fixed random projection of fn's output (1 for a scalar). The first-order gradient
 * is computed by backward itself with createGraph, so the analytic side differentiates the
 * gradient rules (every op a rule calls must record), while the numeric side takes central
 * differences of the first-order gradients. gradcheck then projects the gradient vector with a
 * second random vector: what is checked is Q·H·P-style products that touch every Hessian block.
 *
 * Options are gradcheck's (`wrt` picks the inputs of both differentiations); as there, the default
 * is float64 on the CPU. Keep inputs away from kinks by more than eps: a second derivative of
 * relu or max is 0 on either side and undefined on the kink.
 */
export async function gradgradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): Promise<GradcheckReport> {
  const wrt = options.wrt ?? inputs.flatMap((x, i) => (isFloat(x.dtype) ? [i] : []));
  if (wrt.length === 0) throw new SaddleError('gradgradcheck', 'no floating-point input to differentiate; expected at least one');
  const seed = (options.seed ?? 20140610) + 1;
  const projected = (...xs: Tensor[]): Tensor => {
    const y = fn(...xs);
    if (y.size === 1) return reshape(y, []);
    const p = fromArray(randomProjection(y.size, seed), y.shape, { dtype: y.dtype, device: y.device });
    return sum(mul(y, p));
  };
  const firstOrder = (...xs: Tensor[]): Tensor =>
    // The numeric pass runs under noGrad; the first-order gradient needs the tape either way.
    enableGrad(() => {
      const grads = grad(projected, wrt, { createGraph: true })(...xs);
      return concat(
        grads.map((g) => reshape(g, [g.size])),
        0,
      );
    });
  const report = await gradcheck(firstOrder, inputs, { ...options, wrt, throwOnFailure: false });
  report.summary = report.summary.replace(/^gradcheck/, 'gradgradcheck');
  if (!report.ok && options.throwOnFailure) throw new GradcheckError(report);
  return report;
}
