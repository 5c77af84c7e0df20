/**
 * The kernel reader's statistical check for random draws (demo/src/kernels/op-case.ts, peers.ts):
 * two independent samples of one distribution pass it, and a sample of a slightly different
 * distribution, or one value out of range, fails it. Samples come from the benchmarks'
 * deterministic generator (uniform in [-1, 1)), so the test is reproducible.
 */
import { describe, expect, it } from 'vitest';
import { uniformData } from '@saddle/benchmarks';
import { maxZ, Z_BOUND } from '../src/kernels/op-case.js';
import { dropoutStats, normalStats, uniformStats } from '../src/kernels/peers.js';

const N = 65536;
const unit = (seed: number) => uniformData(N, seed).map((u) => (u + 1) / 2); // [0, 1)
/** Box-Muller on two unit samples. */
const normal = (seed: number) => {
  const [a, b] = [unit(seed), unit(seed + 1)];
  return a.map((u, i) => Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * b[i]!));
};
const stats = (s: { of: (x: Float32Array) => number }[], x: Float32Array) => Float32Array.from(s, (t) => t.of(x));

describe('the statistical check of random draws', () => {
  it('passes two independent samples of the same distribution', () => {
    for (const seed of [1, 7, 99]) {
      expect(maxZ(uniformStats(N))(stats(uniformStats(N), unit(seed)), stats(uniformStats(N), unit(seed + 1000)))).toBeLessThan(Z_BOUND);
      expect(maxZ(normalStats(N))(stats(normalStats(N), normal(seed)), stats(normalStats(N), normal(seed + 1000)))).toBeLessThan(Z_BOUND);
      const drop = (s: number) => unit(s).map((u) => (u < 0.5 ? 0 : 2));
      expect(maxZ(dropoutStats(N))(stats(dropoutStats(N), drop(seed)), stats(dropoutStats(N), drop(seed + 1000)))).toBeLessThan(Z_BOUND);
    }
  });

  it('fails a slightly different distribution, and any value out of range', () => {
    const check = maxZ(uniformStats(N));
    const ref = stats(uniformStats(N), unit(5));
    expect(
      check(
        stats(
          uniformStats(N),
          unit(6).map((u) => 0.97 * u),
        ),
        ref,
      ),
    ).toBeGreaterThan(Z_BOUND); // U[0, 0.97)
    const outside = unit(6);
    outside[123] = 1; // rand's range is [0, 1)
    expect(check(stats(uniformStats(N), outside), ref)).toBe(Infinity);
    const n = normal(5);
    expect(
      maxZ(normalStats(N))(
        stats(
          normalStats(N),
          normal(9).map((v) => 1.03 * v),
        ),
        stats(normalStats(N), n),
      ),
    ).toBeGreaterThan(Z_BOUND); // std 1.03
    const nan = normal(9);
    nan[5] = NaN;
    expect(maxZ(normalStats(N))(stats(normalStats(N), nan), stats(normalStats(N), n))).toBe(Infinity);
  });
});
