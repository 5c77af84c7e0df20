/**
 * The R1 gradient penalty (Mescheder, Geiger and Nowozin, 2018, "Which training methods for GANs
 * do actually converge?"): gamma/2 times the squared norm of the gradient of D's logit with
 * respect to real inputs, averaged over the minibatch,
 *
 *   R1 = gamma/2 · E_x ||∇ₓ D(x)||²,   x ~ data.
 *
 * Added to D's loss, it pushes D's gradients on the data towards zero, which damps the
 * oscillation of simultaneous gradient descent around the equilibrium. Its gradient with respect
 * to D's weights is a second derivative of D: the inner gradient is taken with `createGraph`, so
 * `r1Penalty(...).backward()` reaches the parameters D closes over.
 *
 * `D` maps a batch [B, ...] to logits [B] or [B, 1], each row depending on its own input only (no
 * batch statistics), so the gradient of sum(D(x)) with respect to x holds every row's ∇ₓ D(xᵢ).
 * Dropout inside D is fine if its mask is fixed for the call (the trainer draws it per forward).
 * Call it inside a `tidy` together with the backward that uses it.
 */
import { SaddleError, fmtShape, grad, mean, mul, square, sum, type Tensor } from '@saddle/autograd';

export function r1Penalty(D: (x: Tensor) => Tensor, xReal: Tensor, gamma: number): Tensor {
  if (!(gamma >= 0)) throw new SaddleError('r1Penalty', `gamma is ${gamma}; expected a non-negative number`);
  if (xReal.rank < 1 || xReal.shape[0] === 0)
    throw new SaddleError('r1Penalty', `xReal has shape ${fmtShape(xReal.shape)}; expected a non-empty batch [B, ...]`);
  const [g] = grad((x) => sum(D(x)), undefined, { createGraph: true })(xReal);
  const perRow =
    xReal.rank === 1
      ? square(g!)
      : sum(
          square(g!),
          Array.from({ length: xReal.rank - 1 }, (_, i) => i + 1),
        );
  return mul(mean(perRow), gamma / 2);
}
