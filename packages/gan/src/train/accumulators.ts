/**
 * The training statistics, summed on the device so that the hot path reads nothing back:
 * accD = [D's loss, mean D(x), mean D(G(z))] added after every D step, accG = [G's loss] after every
 * G step. `read` brings both back in one read-back (every `logEvery` iterations and at the end of
 * an epoch), optionally with a finiteness probe of the parameters in the same read: sum |p| per
 * parameter tensor, NaN or Infinity as soon as one of its values is (additions keep NaN; no
 * compiler reordering can fold them away).
 */
import { SaddleError, abs, add, concat, fromArray, keep, mean, noGrad, reshape, sigmoid, sum, tidy, zeros, type Device, type Tensor } from '@saddle/autograd';
import type { SafeTensors } from '@saddle/nn';
import type { RunningStats } from './records.js';

/** What one read brings back. */
export interface AccumulatorRead {
  stats: RunningStats;
  /** Sum |p| of each probed parameter tensor (in the order given), or empty. */
  probes: number[];
}

/** Sums of the losses and D's outputs over steps, kept on the device and read back once per report. */
export class StepAccumulators {
  private accD: Tensor;
  private accG: Tensor;
  /** D and G steps added since the last reset (the divisors of the means). */
  dSteps = 0;
  gSteps = 0;

  constructor(
    private readonly device: Device,
    private readonly batch: number,
  ) {
    this.accD = keep(zeros([3], { device }));
    this.accG = keep(zeros([1], { device }));
  }

  /** accD += [loss, mean D(x), mean D(G(z))] from a D step's loss and its stacked [2B, 1] logits. */
  addD(loss: Tensor, logits: Tensor): void {
    noGrad(() => {
      const means = mean(reshape(sigmoid(logits), [2, this.batch]), 1);
      const next = add(this.accD, concat([reshape(loss, [1]), means], 0));
      this.accD.dispose();
      this.accD = keep(next);
    });
    this.dSteps++;
  }

  /** accG += [loss]. */
  addG(loss: Tensor): void {
    noGrad(() => {
      const next = add(this.accG, reshape(loss, [1]));
      this.accG.dispose();
      this.accG = keep(next);
    });
    this.gSteps++;
  }

  /**
   * Reads the sums back (a sync point): the means since the last reset. Without `params`, the two
   * accumulators are copied out as they are (no kernel); with them, the probes are computed and the
   * whole is concatenated into one read-back.
   */
  async read(params: readonly Tensor[] = []): Promise<AccumulatorRead> {
    let v: ArrayLike<number>;
    if (params.length === 0) {
      v = [...(await this.accD.toArray()), ...(await this.accG.toArray())];
    } else {
      const all = tidy(() => noGrad(() => concat([this.accD, this.accG, ...params.map((p) => reshape(sum(abs(p)), [1]))], 0)));
      try {
        v = await all.toArray();
      } finally {
        all.dispose();
      }
    }
    const nd = Math.max(1, this.dSteps);
    const ng = Math.max(1, this.gSteps);
    return {
      stats: { dLoss: v[0]! / nd, dReal: v[1]! / nd, dFake: v[2]! / nd, gLoss: v[3]! / ng, dSteps: this.dSteps, gSteps: this.gSteps },
      probes: Array.from(v).slice(4),
    };
  }

  /** Zeroes the sums and the step counts (a new epoch). */
  reset(): void {
    tidy(() => {
      this.accD.dispose();
      this.accG.dispose();
      this.accD = keep(zeros([3], { device: this.device }));
      this.accG = keep(zeros([1], { device: this.device }));
    });
    this.dSteps = 0;
    this.gSteps = 0;
  }

  /** The sums as checkpoint tensors (`acc.D`, `acc.G`); the step counts go in the JSON state. */
  async tensors(): Promise<SafeTensors> {
    return {
      'acc.D': { dtype: 'f32', shape: [3], data: Float32Array.from(await this.accD.toArray()) },
      'acc.G': { dtype: 'f32', shape: [1], data: Float32Array.from(await this.accG.toArray()) },
    };
  }

  /** Restores `tensors()`'s output and the step counts. Throws (changing nothing) if a sum is missing. */
  load(tensors: SafeTensors, counts: { dSteps: number; gSteps: number }): void {
    const data = (name: string, size: number) => {
      const t = tensors[name];
      if (!t || t.data.length !== size) throw new SaddleError('GanTrainer.restore', `the checkpoint has no ${name} of ${size} values`);
      return t.data;
    };
    const d = data('acc.D', 3);
    const g = data('acc.G', 1);
    this.accD.dispose();
    this.accD = keep(fromArray(d, [3], { device: this.device }));
    this.accG.dispose();
    this.accG = keep(fromArray(g, [1], { device: this.device }));
    this.dSteps = counts.dSteps;
    this.gSteps = counts.gSteps;
  }

  /** Waits for the queued work that feeds the sums (for honest timing). */
  async settle(): Promise<void> {
    await this.accG.toArray();
  }

  /** Frees the device sums. */
  dispose(): void {
    this.accD.dispose();
    this.accG.dispose();
  }
}
