import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SaddleError, WaitEstimator, createWebGpuDevice, isSoftwareAdapterName, ones, type WebGpuDevice } from '@saddle/tensor';
import { add, mul } from '@saddle/ops';
import { webgpu } from '../support/devices.js';

/**
 * Simulates `waits` training steps against an estimator: each step submits `dispatches` dispatches
 * that take `msPerDispatch` each, then waits (sleeping as the estimator says, then "polling" until
 * the work is done plus `pollLatency`). Returns the estimator and what each wait slept and overslept.
 */
function simulate(msPerDispatch: number, dispatches: number, waits: number, start: number | null, pollLatency = 0) {
  const est = new WaitEstimator();
  est.msPerDispatch = start;
  let now = 1000;
  const log: { sleep: number; overslept: number }[] = [];
  for (let i = 0; i < waits; i++) {
    est.submitted(dispatches, now);
    const mark = est.mark();
    const done = now + dispatches * msPerDispatch;
    const sleep = est.sleepMs(now);
    const end = Math.max(now + sleep, done) + pollLatency;
    log.push({ sleep, overslept: Math.max(0, now + sleep - done) });
    est.finished(mark, end);
    now = end + 5; // the program records the next step
  }
  return { est, log };
}

describe('WaitEstimator: how long a wait sleeps before polling', () => {
  it('polls at once until a wait has been measured, then predicts the measured time per dispatch', () => {
    const { est, log } = simulate(0.5, 60, 1, null);
    expect(log[0]!.sleep).toBe(0);
    expect(est.msPerDispatch).toBeCloseTo(0.5, 12);
    est.submitted(60, 0);
    expect(est.sleepMs(0)).toBeCloseTo(WaitEstimator.SLEEP_FRACTION * 30, 9);
    // Part of the expected time already passed: only the rest is slept.
    expect(est.sleepMs(10)).toBeCloseTo(WaitEstimator.SLEEP_FRACTION * 30 - 10, 9);
    // Past the predicted end (or under MIN_SLEEP_MS before it): poll.
    expect(est.sleepMs(30)).toBe(0);
  });

  it('an estimate too long shrinks to the true time; one too short grows to it; no wait sleeps past the work by more than the first overestimate', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        (ms, n, factor) => {
          const { est, log } = simulate(ms, n, 60, ms * factor);
          expect(est.msPerDispatch!).toBeGreaterThanOrEqual(ms * (1 - 1e-9));
          expect(est.msPerDispatch!).toBeLessThanOrEqual(ms * 1.01);
          // Converged: the last waits sleep through SLEEP_FRACTION of the work, never past it.
          for (const w of log.slice(-5)) expect(w.overslept).toBe(0);
          const first = Math.max(0, WaitEstimator.SLEEP_FRACTION * n * ms * factor - n * ms);
          for (const w of log) expect(w.overslept).toBeLessThanOrEqual(first + 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('work submitted by someone else during a wait stays pending, counted from the end of that wait', () => {
    const est = new WaitEstimator();
    est.submitted(10, 0);
    const mark = est.mark();
    est.submitted(30, 2); // another caller's submit while the first waits
    est.finished(mark, 5);
    expect(est.msPerDispatch).toBeCloseTo(0.5, 12);
    // 30 dispatches still pending since t = 5: 0.8 x 30 x 0.5 = 12 ms from then.
    expect(est.sleepMs(5)).toBeCloseTo(12, 9);
    // A stale mark (its work already accounted for) changes nothing.
    est.finished(mark, 100);
    expect(est.msPerDispatch).toBeCloseTo(0.5, 12);
  });
});

describe('WebGpuDevice wait modes', () => {
  it("the default polls ('sleep' is opt-in); the software-adapter test knows lavapipe from a GPU; other values are refused", async () => {
    const d = await webgpu();
    expect(d.waitMode).toBe('poll');
    expect(isSoftwareAdapterName('mesa software llvmpipe (LLVM 15)')).toBe(true);
    expect(isSoftwareAdapterName('nvidia hopper NVIDIA H100 80GB HBM3')).toBe(false);
    await expect(createWebGpuDevice({ wait: 'spin' as 'poll' })).rejects.toThrow(SaddleError);
    await expect(createWebGpuDevice({ wait: 'spin' as 'poll' })).rejects.toThrow(/wait is "spin"; expected 'poll', 'sleep' or 'auto'/);
  });

  for (const mode of ['sleep', 'poll'] as const) {
    it(`'${mode}': reads and syncs see every submitted result, and each wait measures the time per dispatch`, async () => {
      const d: WebGpuDevice = await createWebGpuDevice({ wait: mode });
      try {
        expect(d.waitMode).toBe(mode);
        let x = ones([4096], { device: d });
        for (let step = 1; step <= 6; step++) {
          for (let j = 0; j < 20; j++) {
            const y = add(mul(x, 1), 1); // x + 1 per loop, through two kernels
            x.dispose();
            x = y;
            d.flush();
          }
          if (step % 2 === 0) await d.sync();
          const v = await x.toArray();
          expect(v[0]).toBe(1 + 20 * step);
          expect(v[4095]).toBe(1 + 20 * step);
          expect(d.waitEstimator.msPerDispatch).toBeGreaterThan(0);
        }
        x.dispose();
      } finally {
        d.destroy();
      }
    });
  }
});
