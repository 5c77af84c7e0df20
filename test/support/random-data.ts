/**
 * Deterministic pseudo-random floats in [lo, hi) (mulberry32), for fixed test inputs that do not
 * depend on fast-check's seed. Rounded to f32, the precision the kernels compute in.
 */
export function randomData(n: number, seed: number, lo: number, hi: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}

/** The same values as a plain array. */
export function randomNumbers(n: number, seed: number, lo: number, hi: number): number[] {
  return Array.from(randomData(n, seed, lo, hi));
}
