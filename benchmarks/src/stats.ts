/**
 * Order statistics for timing samples. Timings are skewed (a rep can only be slowed down, by a
 * context switch, a page fault, another process on the machine), so the harness reports the median
 * and the spread (min, quartiles, max) rather than a mean and a standard deviation.
 */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation between order statistics, as NumPy's default). */
  q1: number;
  q3: number;
  mean: number;
}

/** The q-quantile (0 ≤ q ≤ 1) of `sorted` (ascending), interpolating linearly between neighbours. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q} outside [0, 1]`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  // 0 <= lo <= hi <= sorted.length - 1, and sorted is not empty
  const a = sorted[lo]!;
  return a + (sorted[hi]! - a) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantileSorted(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) throw new Error('summary of an empty sample');
  for (const x of xs) if (!Number.isFinite(x)) throw new Error(`non-finite sample ${x}`);
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    median: quantileSorted(s, 0.5),
    min: s[0]!, // s is not empty
    max: s[s.length - 1]!,
    q1: quantileSorted(s, 0.25),
    q3: quantileSorted(s, 0.75),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** Elementwise ratios of paired samples (rep i of one runner with rep i of the other). */
export function pairedRatios(num: readonly number[], den: readonly number[]): number[] {
  const n = Math.min(num.length, den.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(num[i]! / den[i]!);
  return out;
}
