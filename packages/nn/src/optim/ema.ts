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
 * With `rampup` r the average warms up: the k-th update uses decay min(decay, 1 − 1/max(1, r·k)),
 * so its horizon (1/(1 − decay) updates) grows as r times the updates taken, up to the decay's, and
 * the initial params do not linger in it (without it they keep decay^k of the weight; as the
 * "EMA ramp-up" of Karras et al.'s GAN training code). The first update copies the params.
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
  /** The warm-up's ramp r (0: none): the horizon is at most r times the updates taken. */
  readonly rampup: number;
  /** Updates taken so far. */
  updates = 0;

  constructor(sources: Iterable<Tensor>, targets: Iterable<Tensor>, decay: number, options: { rampup?: number } = {}) {
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
    const rampup = options.rampup ?? 0;
    if (!(typeof rampup === 'number' && rampup >= 0 && Number.isFinite(rampup))) {
      throw new SaddleError('ExponentialMovingAverage', `rampup is ${String(rampup)}; expected a finite number >= 0 (0: none)`);
    }
    this.rampup = rampup;
  }

  /** The decay the next update uses: `decay`, or less while the warm-up's horizon is shorter. */
  currentDecay(): number {
    if (this.rampup === 0) return this.decay;
    return Math.min(this.decay, 1 - 1 / Math.max(1, this.rampup * (this.updates + 1)));
  }

  /** Moves every target towards its source: target = d · target + (1 − d) · source, d = currentDecay(). */
  update(): void {
    const decay = this.currentDecay();
    noGrad(() => this.targets.forEach((t, i) => emaUpdate(t, this.sources[i]!, decay)));
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
