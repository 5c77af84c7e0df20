import { SaddleError, copyInto, fmtShape, fromArray, keep, noGrad, sgdMomentumUpdateMany, sub, tidy, zerosLike, type Tensor } from '@saddle/autograd';

/**
 * An exponential moving average of parameters (Polyak averaging; PyTorch's
 * `torch.optim.swa_utils.AveragedModel` with an EMA): after each optimizer step,
 *
 *   average = decay · average + (1 − decay) · param,
 *
 * written into `targets`, tensors of the same shapes that start equal to the params (typically the
 * parameters of a second copy of the model, built from the same initializer stream). A GAN's
 * generator weights oscillate around where the game pushes them; their average draws cleaner
 * samples than the weights of any one step (Yazıcı et al., 2019).
 *
 * The update reuses the SGD kernel with momentum 0, lr = 1 − decay and g = average − param:
 * v = −(1 − decay)(average − param), average += v. One subtraction per tensor and one multi-tensor
 * dispatch on every device; the scratch velocities are overwritten each time.
 */
export class ExponentialMovingAverage {
  readonly targets: readonly Tensor[];
  readonly sources: readonly Tensor[];
  readonly decay: number;
  /** Updates taken so far. */
  updates = 0;
  private readonly scratch: Tensor[];

  constructor(sources: Iterable<Tensor>, targets: Iterable<Tensor>, decay: number) {
    this.sources = [...sources];
    this.targets = [...targets];
    if (!(typeof decay === 'number' && decay >= 0 && decay < 1)) {
      throw new SaddleError('ExponentialMovingAverage', `decay is ${String(decay)}; expected a number in [0, 1)`);
    }
    if (this.sources.length !== this.targets.length) {
      throw new SaddleError('ExponentialMovingAverage', `${this.sources.length} sources and ${this.targets.length} targets; expected equal counts`);
    }
    this.sources.forEach((s, i) => {
      const t = this.targets[i]!;
      if (s === t || s.shape.join() !== t.shape.join() || s.dtype !== t.dtype || s.device !== t.device) {
        throw new SaddleError(
          'ExponentialMovingAverage',
          `source ${i} ${fmtShape(s.shape)} ${s.dtype} and target ${fmtShape(t.shape)} ${t.dtype}; expected distinct tensors of the same shape, dtype and device`,
        );
      }
    });
    this.decay = decay;
    this.scratch = this.targets.map((t) => keep(zerosLike(t)));
  }

  /** Moves every target towards its source: target = decay · target + (1 − decay) · source. */
  update(): void {
    tidy(() =>
      noGrad(() => {
        const diffs = this.targets.map((t, i) => sub(t, this.sources[i]!));
        sgdMomentumUpdateMany(this.targets, diffs, this.scratch, { lr: 1 - this.decay, momentum: 0, weightDecay: 0 });
      }),
    );
    this.updates++;
  }

  /** The averages as host arrays, for checkpoints. */
  async stateDict(): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const t of this.targets) out.push(Float32Array.from(await t.toArray()));
    return out;
  }

  /** Writes saved averages back into the targets (checked first: all or nothing). */
  load(values: readonly ArrayLike<number>[], updates: number): void {
    if (values.length !== this.targets.length) {
      throw new SaddleError('ExponentialMovingAverage.load', `${values.length} averages given; expected ${this.targets.length}`);
    }
    this.targets.forEach((t, i) => {
      if (values[i]!.length !== t.size) throw new SaddleError('ExponentialMovingAverage.load', `average ${i} has ${values[i]!.length} values; expected ${t.size}`);
    });
    this.targets.forEach((t, i) => {
      const saved = fromArray(values[i]!, t.shape, { dtype: t.dtype, device: t.device });
      copyInto(t, saved);
      saved.dispose();
    });
    this.updates = updates;
  }

  /** Frees the averaged copies. */
  dispose(): void {
    for (const s of this.scratch) s.dispose();
  }
}
