import { SaddleError } from '@saddle/tensor';
import type { Stream } from './random.cpu.js';

/** A seed: a non-negative safe integer, or a bigint below 2^64. It becomes Philox's 64-bit key. */
export type Seed = number | bigint;

/** The seed the default generator starts from (so a program that never seeds is still reproducible). */
export const DEFAULT_SEED = 20140610;

const TWO32 = 0x100000000;

/** The Philox key (seed lo, seed hi) of a seed; throws on a seed that is not a 64-bit unsigned integer. */
export function seedKey(op: string, seed: Seed): [number, number] {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw new SaddleError(op, `seed ${seed} is out of range; expected 0 <= seed < 2^64`);
    return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new SaddleError(op, `seed ${seed} is not a non-negative safe integer; expected an integer in [0, 2^53) or a bigint below 2^64`);
  }
  return [seed % TWO32, Math.floor(seed / TWO32)];
}

/**
 * A stream of Philox4x32-10 random numbers: a seed (the key) and an offset (the next unused
 * 128-bit counter block). A draw of n elements uses counter blocks offset .. offset + ceil(n/4) - 1
 * (element i gets word i % 4 of block offset + floor(i / 4)) and advances the offset past them, so
 * successive draws are fresh and the same sequence of draws gives the same numbers on every device.
 */
export class Generator {
  private _seed: Seed;
  private _offset = 0;

  constructor(seed: Seed = DEFAULT_SEED) {
    seedKey('Generator', seed);
    this._seed = seed;
  }

  get seed(): Seed {
    return this._seed;
  }

  /** Counter blocks consumed so far. */
  get offset(): number {
    return this._offset;
  }

  /** Restarts the stream from `seed` (offset 0). */
  manualSeed(seed: Seed): this {
    seedKey('manualSeed', seed);
    this._seed = seed;
    this._offset = 0;
    return this;
  }

  /** The generator's state, to save and restore with `setState`. */
  getState(): { seed: Seed; offset: number } {
    return { seed: this._seed, offset: this._offset };
  }

  /** Restores the seed and counter offset (from `state()`); returns this. */
  setState(state: { seed: Seed; offset: number }): this {
    seedKey('Generator.setState', state.seed);
    if (!Number.isSafeInteger(state.offset) || state.offset < 0) {
      throw new SaddleError('Generator.setState', `offset ${state.offset} is not a non-negative safe integer`);
    }
    this._seed = state.seed;
    this._offset = state.offset;
    return this;
  }

  /** An independent copy at the same position. */
  clone(): Generator {
    return new Generator(this._seed).setState(this.getState());
  }

  /** Reserves the counter blocks for a draw of `n` elements and returns where the draw reads. */
  take(n: number): Stream {
    const blocks = Math.ceil(n / 4);
    const stream = streamAt(seedKey('Generator', this._seed), this._offset);
    this._offset += blocks;
    if (!Number.isSafeInteger(this._offset)) throw new SaddleError('Generator', 'the counter passed 2^53 blocks; reseed the generator');
    return stream;
  }
}

function streamAt(key: [number, number], offset: number): Stream {
  return { key, offset: [offset % TWO32, Math.floor(offset / TWO32)] };
}

const defaultGen = new Generator();

/** The generator draws use when neither `generator` nor `seed` is given. */
export function defaultGenerator(): Generator {
  return defaultGen;
}

/** Reseeds the default generator (offset 0); returns it. */
export function manualSeed(seed: Seed): Generator {
  return defaultGen.manualSeed(seed);
}

/** Options every draw accepts. */
export interface RandomSource {
  /** Draw from (and advance) this generator. */
  generator?: Generator;
  /** A fresh stateless stream: key from this seed, counter from 0. No generator advances. */
  seed?: Seed;
}

/** Resolves a draw's source of numbers: an explicit seed, else the generator, else the default one. */
export function resolveStream(op: string, n: number, opts: RandomSource): Stream {
  if (opts.seed !== undefined && opts.generator !== undefined) {
    throw new SaddleError(op, 'both `seed` and `generator` were given; expected at most one');
  }
  if (opts.seed !== undefined) return streamAt(seedKey(op, opts.seed), 0);
  return (opts.generator ?? defaultGen).take(n);
}
