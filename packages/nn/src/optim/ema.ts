import { SaddleError, copyInto, emaUpdate, fmtShape, fromArray, noGrad, type Tensor } from '@saddle/autograd';

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
 * The update is one fused kernel per tensor (`emaUpdate`: WGSL, wasm SIMD, the CPU twin), which
 * reads the average and the param and writes the average: 12 bytes per element. (It used to be a
 * subtraction into a temporary and the SGD kernel with momentum 0 over scratch velocities: 32
 * bytes per element and a temporary per tensor; on wasm 4% of the quick preset's iteration.)
 */
export class ExponentialMovingAverage {
  readonly targets: readonly Tensor[];
  readonly sources: readonly Tensor[];
  readonly decay: number;
  /** Updates taken so far. */
  updates = 0;

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
  }

  /** Moves every target towards its source: target = decay · target + (1 − decay) · source. */
  update(): void {
    noGrad(() => this.targets.forEach((t, i) => emaUpdate(t, this.sources[i]!, this.decay)));
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
      if (values[i]!.length !== t.size)
        throw new SaddleError('ExponentialMovingAverage.load', `average ${i} has ${values[i]!.length} values; expected ${t.size}`);
    });
    this.targets.forEach((t, i) => {
      const saved = fromArray(values[i]!, t.shape, { dtype: t.dtype, device: t.device });
      copyInto(t, saved);
      saved.dispose();
    });
    this.updates = updates;
  }
}
