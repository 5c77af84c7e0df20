/**
 * The live GAN panel's slices and curve points (demo/src/training-slices.ts), driven with the real
 * trainer on the cpu device, with slices placed on purpose at the epoch's end. Issue 24, item 12:
 * a slice that ended exactly at an epoch's end added no curve point (the running statistics had
 * been reset by the time they were read), and once the slice size settled at the epoch's length
 * the curves stopped for good; in the browser that showed as a test waiting 15 minutes.
 */
import { describe, expect, it } from 'vitest';
import { cpu } from '@saddle/autograd';
import { GanTrainer, preset, type EpochRecord, type GanConfig, type ImageSet } from '@saddle/gan';
import { SliceMeanTracker, WallClockRate, nextSliceSize, trainSlice, type SliceMeans } from '../src/training-slices.js';

/** n synthetic 28 x 28 images: a bright bar whose position and direction depend on i. */
function barImages(n: number): ImageSet {
  const images = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const pos = 4 + ((i * 7) % 20);
    for (let p = 0; p < 784; p++) {
      const [r, c] = [Math.floor(p / 28), p % 28];
      images[i * 784 + p] = Math.abs((i % 2 ? r : c) - pos) <= 1 ? 0.95 : 0.03;
    }
  }
  return { images, n, d: 784 };
}

const config = (): GanConfig => ({ ...preset('tiny'), epochs: 10 });
const DATA = barImages(100); // the tiny preset's batch is 10: 10 iterations an epoch

/** Runs slices of the given sizes; returns each slice's means and the records of the epochs they ended. */
async function drive(sizes: number[]): Promise<{ means: SliceMeans[]; ran: number[]; records: EpochRecord[] }> {
  const trainer = new GanTrainer(config(), DATA, cpu);
  try {
    const tracker = new SliceMeanTracker();
    const means: SliceMeans[] = [];
    const ran: number[] = [];
    const records: EpochRecord[] = [];
    for (const size of sizes) {
      const slice = await trainSlice(trainer, size, Infinity);
      ran.push(slice.ran);
      means.push(tracker.next(slice.ended ?? (await trainer.runningStats()), slice.ended !== null));
      if (slice.ended) records.push(slice.ended);
    }
    return { means, ran, records };
  } finally {
    trainer.dispose();
  }
}

describe('training slices and curve points (the live GAN panel)', () => {
  it("a slice that ends exactly at an epoch's end still gives its point: the epoch's means, from its record", async () => {
    const { means, ran, records } = await drive([10, 10, 10, 10]);
    expect(ran).toEqual([10, 10, 10, 10]);
    expect(records).toHaveLength(4);
    means.forEach((m, i) => {
      const r = records[i]!;
      expect(m.d, `slice ${i}`).not.toBeNull();
      expect(m.g, `slice ${i}`).not.toBeNull();
      // The slice is the whole epoch: its means are the record's.
      expect(m.d!.dLoss).toBeCloseTo(r.dLoss, 12);
      expect(m.d!.dReal).toBeCloseTo(r.dReal, 12);
      expect(m.d!.dFake).toBeCloseTo(r.dFake, 12);
      expect(m.g!.gLoss).toBeCloseTo(r.gLoss, 12);
    });
  });

  it("slices that split epochs unevenly each give a point, and the points average back to each epoch's record", async () => {
    // 3 + 3 + 3 + 1 (ends epoch 1), 4 + 6 (ends epoch 2), 7 + 3 (ends epoch 3): the epoch's end cuts 3 to 1.
    const { means, ran, records } = await drive([3, 3, 3, 3, 4, 6, 7, 5]);
    expect(ran).toEqual([3, 3, 3, 1, 4, 6, 7, 3]);
    expect(records).toHaveLength(3);
    for (const m of means) {
      expect(m.d).not.toBeNull();
      expect(m.g).not.toBeNull();
      for (const v of [m.d!.dLoss, m.d!.dReal, m.d!.dFake, m.g!.gLoss]) expect(Number.isFinite(v)).toBe(true);
    }
    const epochs = [
      [0, 1, 2, 3],
      [4, 5],
      [6, 7],
    ];
    epochs.forEach((slices, e) => {
      const n = slices.reduce((a, s) => a + ran[s]!, 0);
      const weighted = (f: (m: SliceMeans) => number) => slices.reduce((a, s) => a + f(means[s]!) * ran[s]!, 0) / n;
      expect(weighted((m) => m.d!.dLoss)).toBeCloseTo(records[e]!.dLoss, 5);
      expect(weighted((m) => m.d!.dFake)).toBeCloseTo(records[e]!.dFake, 5);
      expect(weighted((m) => m.g!.gLoss)).toBeCloseTo(records[e]!.gLoss, 5);
    });
  });

  it('the slice size follows the iterations that ran, not the ones asked for', () => {
    // Asked for 10, the epoch's end cut it to 2 in 20 ms: 10 iterations a 100 ms slice, not 50.
    expect(nextSliceSize({ ran: 2, ended: null, ms: 20 }, 100)).toBe(10);
    expect(nextSliceSize({ ran: 0, ended: null, ms: 5 }, 100)).toBe(1);
    expect(nextSliceSize({ ran: 500, ended: null, ms: 1 }, 100)).toBe(1000);
    expect(nextSliceSize({ ran: 1, ended: null, ms: 1000 }, 100)).toBe(1);
  });
});

describe('WallClockRate (the it/s readout, issue 24 item 5)', () => {
  it('is iterations over wall-clock time across the window, whatever the slices in between', () => {
    const rate = new WallClockRate(3000);
    expect(rate.mark(0, 0)).toBe(0);
    // 100 iterations in 10 ms of training, then 90 ms of drawing: 1000 it/s of wall clock, not 10,000.
    let r = 0;
    for (let t = 100, i = 100; t <= 5000; t += 100, i += 100) r = rate.mark(t, i);
    expect(r).toBeCloseTo(1000, 6);
    // The rate halves: within a window the readout follows it.
    for (let t = 5100, i = 5100; t <= 9000; t += 100, i += 50) r = rate.mark(t, i);
    expect(r).toBeGreaterThan(490);
    expect(r).toBeLessThan(530);
  });

  it('starts over after reset', () => {
    const rate = new WallClockRate();
    rate.mark(0, 0);
    rate.mark(1000, 500);
    rate.reset();
    expect(rate.mark(2000, 500)).toBe(0);
    expect(rate.mark(3000, 600)).toBe(100);
  });
});

describe('trainSlice stops when asked (pause, issue 24 item 3)', () => {
  it('runs no further iteration once stop() says so', async () => {
    const trainer = new GanTrainer(config(), DATA, cpu);
    try {
      let calls = 0;
      const slice = await trainSlice(trainer, 1000, Infinity, () => ++calls > 3);
      expect(slice.ran).toBe(3);
      expect(slice.ended).toBe(null);
    } finally {
      trainer.dispose();
    }
  });
});
