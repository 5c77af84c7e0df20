/**
 * Training in slices, and one curve point per slice: the part of the live GAN panel that does not
 * touch the page, so a Node test can drive it with the real trainer.
 *
 * The page trains in slices of about 100 ms (`trainSlice`), then yields to draw. A slice never
 * crosses an epoch's end: `GanTrainer.runEpoch` stops there and returns the epoch's record, and the
 * trainer zeroes its running statistics for the next epoch. So the means over a slice come from
 * the epoch's running means before and after it, and when the slice ended the epoch, "after" is
 * the record just returned (the running statistics have been reset by then and are empty).
 * Forgetting that (reading the reset statistics instead) drops the point of every slice that ends
 * on an epoch's end, and with a slice size that settles at the epoch's length no point is ever
 * added again (issue 24, item 12).
 */
import type { EpochRecord, GanTrainer, RunningStats } from '@saddle/gan';

export interface Slice {
  /** Iterations that ran (fewer than asked when the epoch ended or the time ran out). */
  ran: number;
  /** The epoch's record when this slice ended it, else null. */
  ended: EpochRecord | null;
  /** Wall-clock milliseconds of the slice (its device work included: runEpoch waits for it). */
  ms: number;
}

/** Runs iterations until `count` have run, `ms` have passed, the epoch ends or `stop()` says so (pause). */
export async function trainSlice(trainer: GanTrainer, count: number, ms: number, stop: () => boolean = () => false): Promise<Slice> {
  const t0 = performance.now();
  const before = trainer.totalIterations;
  const ended = await trainer.runEpoch({ shouldStop: () => trainer.totalIterations - before >= count || performance.now() - t0 > ms || stop() });
  return { ran: trainer.totalIterations - before, ended, ms: performance.now() - t0 };
}

/**
 * The next slice's size in iterations, so that a slice lasts about `targetMs`: scaled from the
 * iterations that actually ran (not the ones asked for, which an epoch's end can cut short).
 */
export function nextSliceSize(slice: Slice, targetMs: number, max = 1000): number {
  if (slice.ran === 0) return 1;
  return Math.max(1, Math.min(max, Math.round((slice.ran * targetMs) / Math.max(slice.ms, 1))));
}

/** The means over one slice's iterations: D's statistics over its D steps, G's loss over its G steps. */
export interface SliceMeans {
  d: { dLoss: number; dReal: number; dFake: number } | null;
  g: { gLoss: number } | null;
}

const EMPTY: RunningStats = { dLoss: 0, gLoss: 0, dReal: 0, dFake: 0, dSteps: 0, gSteps: 0 };

/** Turns the epoch's running means, read after each slice, into the means over each slice. */
export class SliceMeanTracker {
  /** The running means read after the previous slice, within the epoch in progress. */
  private previous: RunningStats = EMPTY;

  /**
   * `now`: the epoch's running means after this slice: the record it returned if the slice ended
   * the epoch, else `trainer.runningStats()`. `endedEpoch`: whether it did.
   */
  next(now: RunningStats, endedEpoch: boolean): SliceMeans {
    const p = this.previous;
    const since = (mean: number, n: number, prevMean: number, prevN: number) => (mean * n - prevMean * prevN) / (n - prevN);
    const means: SliceMeans = {
      d:
        now.dSteps > p.dSteps
          ? {
              dLoss: since(now.dLoss, now.dSteps, p.dLoss, p.dSteps),
              dReal: since(now.dReal, now.dSteps, p.dReal, p.dSteps),
              dFake: since(now.dFake, now.dSteps, p.dFake, p.dSteps),
            }
          : null,
      g: now.gSteps > p.gSteps ? { gLoss: since(now.gLoss, now.gSteps, p.gLoss, p.gSteps) } : null,
    };
    // The next epoch's running means start from zero.
    this.previous = endedEpoch ? EMPTY : now;
    return means;
  }

  /** Forgets the epoch in progress (a new trainer). */
  reset(): void {
    this.previous = EMPTY;
  }
}

/**
 * Iterations per second by the wall clock (drawing, read-backs and the page's own work included,
 * not only the time inside the trainer), over the last `windowMs` of marks.
 */
export class WallClockRate {
  private marks: [number, number][] = [];

  constructor(private readonly windowMs = 3000) {}

  /** Records `iterations` done by time `now` (ms); returns the rate over the window (0 with one mark). */
  mark(now: number, iterations: number): number {
    this.marks.push([now, iterations]);
    // Keep the newest mark at or before the window's start, so the window is always covered.
    while (this.marks.length > 2 && this.marks[1]![0] <= now - this.windowMs) this.marks.shift();
    const [t0, i0] = this.marks[0]!;
    return now > t0 ? ((iterations - i0) * 1000) / (now - t0) : 0;
  }

  reset(): void {
    this.marks = [];
  }
}
