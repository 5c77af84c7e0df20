/**
 * The gradient G's loss puts on G's samples, d L_G / d x at x = G(z): where the discriminator
 * pushes each generated pixel (MNIST) or each generated point (the 1-D toy). It is what flows back
 * into G's weights at a G step, before G's own Jacobian. Computed with the library's autograd:
 * `grad` of the loss as a function of the samples, taken as a fresh leaf (G's output, detached),
 * so nothing flows into G or D and no `.grad` is touched. D runs in eval mode (no dropout: the
 * view shows D's function, and training's dropout stream is not consumed).
 */
import { fromArray, grad, tidy, type Device, type Tensor } from '@saddle/autograd';
import { generatorLoss, type GanTrainer } from '@saddle/gan';
import type { Module } from '@saddle/nn';

/** Runs `f` with `D` in eval mode, then puts D back in training mode. */
function inEval<T>(D: Module, f: () => T): T {
  D.eval();
  try {
    return f();
  } finally {
    D.train();
  }
}

/** d L_G / d x for the samples x = G(z) (G in eval mode), [n, 784] values, with L_G the trainer's G loss summed over the samples. */
export async function generatorPixelGradient(trainer: GanTrainer, z: Tensor): Promise<Float32Array> {
  const x = trainer.generate(z);
  const n = x.shape[0]!;
  // L_G is a mean over the batch: times n, each sample's own loss gradient.
  const g = tidy(() => inEval(trainer.D, () => grad((xs: Tensor) => generatorLoss(trainer.D.forward(xs), trainer.config.gLoss))(x)[0]!));
  try {
    return Float32Array.from(await g.toArray(), (v) => v * n);
  } finally {
    g.dispose();
    x.dispose();
  }
}

/** d(−log D(x_i)) / d x_i for 1-D samples x (D: [n, 1] logits), the toy's non-saturating G loss per sample. */
export async function sampleGradient(D: Module, xs: Float32Array, device: Device): Promise<Float32Array> {
  const x = fromArray(xs, [xs.length, 1], { device });
  const g = tidy(() => inEval(D, () => grad((t: Tensor) => generatorLoss(D.forward(t)))(x)[0]!));
  try {
    return Float32Array.from(await g.toArray(), (v) => v * xs.length);
  } finally {
    g.dispose();
    x.dispose();
  }
}
