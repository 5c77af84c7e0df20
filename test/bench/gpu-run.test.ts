/**
 * The GPU host command's plan (benchmarks/src/gpu-run.ts): the budget split leaves training time
 * inside the command's minutes, the per-case bench budgets stay within their phase's share, and
 * bad plans are refused before anything runs. (The command itself is rehearsed end to end on
 * lavapipe with `benchmarks/gpu-run.sh --rehearse`; docs/performance.md has the figures.)
 */
import { describe, expect, it } from 'vitest';
import { perCaseBudget, planFromArgs } from '../../benchmarks/src/gpu-run.js';

describe('gpu-run plan', () => {
  it('the default plan fits 8 minutes with most of it left for training', () => {
    const { plan, out } = planFromArgs(['--out', '/tmp/x']);
    expect(out).toBe('/tmp/x');
    expect(plan.minutes).toBe(7.5);
    const fixed = plan.matmulSeconds + plan.ganSeconds + plan.f16Seconds + plan.reserveSeconds;
    expect(fixed).toBeLessThan(plan.minutes * 60);
    expect(plan.minutes * 60 - fixed).toBeGreaterThanOrEqual(180); // training
    expect(plan.sizes).toEqual([1024, 2048, 4096, 8192]);
    expect([plan.parzenN, plan.testN, plan.trainN]).toEqual([10_000, 10_000, null]); // the full Table 1 protocol, all images
  });

  it('--rehearse shrinks sizes and the protocol but keeps every phase', () => {
    const { plan } = planFromArgs(['--out', 'o', '--rehearse', '--minutes', '8']);
    expect(plan.sizes).toEqual([64, 128]);
    expect(plan.trainN).toBe(2000);
    expect(plan.skipBench).toBe(false);
    expect(plan.preset).toBe('paper');
  });

  it('per-case budgets keep a bench within its share', () => {
    for (const [seconds, cases] of [
      [100, 14],
      [45, 2],
      [40, 12],
    ] as const) {
      expect(perCaseBudget(seconds, cases, 2) * cases * 2).toBeLessThanOrEqual(Math.max(seconds, cases));
    }
  });

  it('refuses a plan without --out or without training time', () => {
    expect(() => planFromArgs([])).toThrow(/--out DIR is required/);
    expect(() => planFromArgs(['--out', 'o', '--minutes', '3'])).toThrow(/leave no training time in 3 min/);
    expect(() => planFromArgs(['--out', 'o', '--minutes=0'])).toThrow(/--minutes wants a positive number/);
  });
});
