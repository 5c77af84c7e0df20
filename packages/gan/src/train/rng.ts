/**
 * Seeds for the training run's independent random streams, all derived from the one `--seed`:
 * parameter init, noise z, dropout masks, the per-epoch shuffle, evaluation noise and the figures'
 * z each get their own Philox key, so adding a draw to one stream never shifts another (and a
 * resumed run sees the same numbers as an uninterrupted one).
 */
import { Generator, cpu, randomBits, type Seed } from '@saddle/autograd';

const MASK64 = (1n << 64n) - 1n;

/** splitmix64's finalizer: a bijection of 64-bit words that mixes every input bit into every output bit. */
function mix64(x: bigint): bigint {
  x = (x + 0x9e3779b97f4a7c15n) & MASK64;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return x ^ (x >> 31n);
}

/** A 64-bit seed for stream `name` (and optional index, e.g. an epoch) of run seed `base`. */
export function deriveSeed(base: number, name: string, index = 0): bigint {
  let h = mix64(BigInt(base));
  for (let i = 0; i < name.length; i++) h = mix64(h ^ BigInt(name.charCodeAt(i)));
  return mix64(h ^ BigInt(index));
}

/** A generator seeded for stream `name` (and `index`) of run seed `base` (see `deriveSeed`). */
export function streamGenerator(base: number, name: string, index = 0): Generator {
  return new Generator(deriveSeed(base, name, index));
}

/**
 * A uniformly random permutation of 0 .. n-1 (Fisher-Yates), from the Philox stream of `seed`:
 * the same seed gives the same order on every machine.
 */
export function permutation(n: number, seed: Seed): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  const bits = randomBits([n], { seed, device: cpu });
  const words = bits.storage.data as Uint32Array;
  for (let i = n - 1; i > 0; i--) {
    // floor(u * (i + 1)) with u a 32-bit fraction: bias below 2^-32 * n, irrelevant here.
    const j = Math.floor((words[i]! / 4294967296) * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  bits.dispose();
  return order;
}
