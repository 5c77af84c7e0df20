import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device } from '@saddle/tensor';
import { Generator, DEFAULT_SEED, defaultGenerator, manualSeed, philox, philox4x32, mulhi32, rand, randint, randn, randomBits, type Seed } from '@saddle/ops';
import { allDevices, kernelDevices, wasm, webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

const hex = (a: ArrayLike<number>) => Array.from(a, (x) => (x >>> 0).toString(16).padStart(8, '0')).join(' ');

/** Random123's known-answer vectors for Philox4x32-10: counter, key, expected output. */
const KAT: [number[], [number, number], string][] = [
  [[0, 0, 0, 0], [0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
];

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
/** Shapes of rank 0..3 whose sizes hit the awkward cases: not a multiple of 4, 1, 0, past a workgroup. */
const shapeArb = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 3 }),
  fc.constantFrom([0], [1], [3], [5], [1023], [1025], [257, 3], [4099]),
);
const seedArb: fc.Arbitrary<Seed> = fc.oneof(
  fc.constantFrom(0, 1, 0xffffffff, 2 ** 32, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);

/** The definition, straight from the reference Philox: element i of a draw at block `offset`. */
function referenceWord(seed: Seed, offset: number, i: number): number {
  const s = BigInt(seed);
  const block = BigInt(offset) + BigInt(Math.floor(i / 4));
  const w = philox4x32(Number(block & 0xffffffffn), Number(block >> 32n), 0, 0, Number(s & 0xffffffffn), Number(s >> 32n));
  return w[i % 4]!;
}

describe('Philox4x32-10', () => {
  it('mulhi32 is the high word of the exact 64-bit product', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (a, b) => {
        expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
      }),
      { numRuns: 200 },
    );
    expect(mulhi32(0xffffffff, 0xffffffff)).toBe(0xfffffffe);
  });

  it('matches the Random123 known answers in TypeScript', () => {
    for (const [c, k, want] of KAT) expect(hex(philox4x32(c[0]!, c[1]!, c[2]!, c[3]!, k[0], k[1]))).toBe(want);
  });

  it('matches the Random123 known answers in WGSL, wasm and the CPU op', async () => {
    for (const device of await allDevices()) {
      for (const [c, k, want] of KAT) {
        const counters = fromArray([...c, ...c], [2, 4], { dtype: 'u32', device });
        const out = await philox(counters, k).toArray();
        expect(hex(out), device.name).toBe(`${want} ${want}`);
      }
      // Seed 0, counter 0: the first block of a seed-0 draw is the first known answer.
      expect(hex(await randomBits([4], { seed: 0, device }).toArray())).toBe(KAT[0]![2]);
      // A key given as a seed: (lo, hi) words.
      const third = KAT[2]!;
      const out = await philox(fromArray(third[0], [4], { dtype: 'u32', device }), 0x299f31d0a4093822n).toArray();
      expect(hex(out)).toBe(third[2]);
    }
  });
});

describe('draws', () => {
  it('element i is word i % 4 of counter block offset + floor(i / 4) under key (seed lo, seed hi)', async () => {
    const devices = await allDevices();
    await fc.assert(
      fc.asyncProperty(shapeArb, seedArb, fc.integer({ min: 0, max: 2 ** 40 }), async (shape, seed, offset) => {
        for (const device of devices) {
          const g = new Generator(seed).setState({ seed, offset });
          const got = await randomBits(shape, { generator: g, device }).toArray();
          const want = Array.from({ length: size(shape) }, (_, i) => referenceWord(seed, offset, i));
          expect(Array.from(got)).toEqual(want);
          expect(g.offset).toBe(offset + Math.ceil(size(shape) / 4));
        }
      }),
      { numRuns: 12 },
    );
  });

  it('carries the counter from its low word into its high word', async () => {
    const offset = 2 ** 32 - 2; // blocks 2^32 - 2, 2^32 - 1, 2^32, 2^32 + 1
    for (const device of await allDevices()) {
      // 16 words: one SIMD group of four blocks on wasm; 6 words: the scalar tail path.
      const short = await randomBits([6], { generator: new Generator(5).setState({ seed: 5, offset: offset + 1 }), device }).toArray();
      expect(Array.from(short)).toEqual(Array.from({ length: 6 }, (_, i) => referenceWord(5, offset + 1, i)));
      const got = await randomBits([16], { generator: new Generator(5).setState({ seed: 5, offset }), device }).toArray();
      expect(Array.from(got)).toEqual(Array.from({ length: 16 }, (_, i) => referenceWord(5, offset, i)));
    }
  });

  it('rand is bit-identical on the CPU, WebGPU and wasm, and is (x >>> 8) * 2^-24', async () => {
    const devices = await kernelDevices();
    await fc.assert(
      fc.asyncProperty(shapeArb, seedArb, async (shape, seed) => {
        const a = await rand(shape, { seed, device: cpu }).toArray();
        for (const gpu of devices) expect(await rand(shape, { seed, device: gpu }).toArray(), gpu.name).toEqual(a);
        expect(Array.from(a)).toEqual(Array.from({ length: size(shape) }, (_, i) => (referenceWord(seed, 0, i) >>> 8) / 2 ** 24));
        // f64 on the CPU draws the same numbers (they are exact in f32).
        expect(Array.from(await rand(shape, { seed, device: cpu, dtype: 'f64' }).toArray())).toEqual(Array.from(a));
      }),
      { numRuns: 15 },
    );
  });

  it('rand on [low, high) agrees across devices to an f32 rounding and stays in range', async () => {
    const gpu = await webgpu();
    const cpuThreads = await wasm();
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        async (low, width, seed) => {
          const high = low + width;
          const a = await rand([301], { low, high, seed, device: cpu }).toArray();
          const b = await rand([301], { low, high, seed, device: gpu }).toArray();
          expectClose(b, a, { atol: 0, rtol: 2 ** -23 });
          // wasm rounds low + scale * u in f32 step by step, as the CPU twin does (no FMA): the same bits.
          expect(await rand([301], { low, high, seed, device: cpuThreads }).toArray()).toEqual(a);
          for (const v of a) {
            expect(v).toBeGreaterThanOrEqual(Math.fround(low));
            expect(v).toBeLessThanOrEqual(Math.fround(high));
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('randn agrees across devices up to the rounding of log, sqrt, sin and cos', async () => {
    const gpu = await webgpu();
    await fc.assert(
      fc.asyncProperty(
        shapeArb,
        seedArb,
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        async (shape, seed, mean, std) => {
          const a = await randn(shape, { seed, mean, std, device: cpu }).toArray();
          const b = await randn(shape, { seed, mean, std, device: gpu }).toArray();
          expectClose(b, a, { atol: 2e-6 * (1 + std), rtol: 2e-6 });
        },
      ),
      { numRuns: 15 },
    );
  });

  it('randn on wasm equals the CPU twin to one f32 rounding (both compute Box-Muller in f64)', async () => {
    // The only difference is the f64 log, sqrt, cos and sin (musl-derived here, V8's there, each
    // within an f64 ULP or so), so an element differs only when its f64 value falls within a few
    // f64 ULPs of an f32 rounding boundary, and then by one f32 ULP: a few in 10^8 elements.
    const w = await wasm();
    const a = await randn([1 << 16], { seed: 4242, mean: 0.5, std: 2, device: cpu }).toArray();
    const b = await randn([1 << 16], { seed: 4242, mean: 0.5, std: 2, device: w }).toArray();
    let differ = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      differ++;
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(a[i]!))) - 23);
      expect(Math.abs(b[i]! - a[i]!), `element ${i}`).toBeLessThanOrEqual(ulp);
    }
    expect(differ).toBeLessThanOrEqual(2);
  });

  it('randn stays accurate where u1 is close to 1 (tiny radii)', async () => {
    // Sweep many words: among 2^17 draws, hundreds have u1 within 1% of 1.
    const a = await randn([1 << 17], { seed: 99, device: cpu }).toArray();
    for (const gpu of await kernelDevices()) {
      const b = await randn([1 << 17], { seed: 99, device: gpu }).toArray();
      let small = 0;
      for (let i = 0; i < a.length; i += 2) {
        const r = Math.hypot(a[i]!, a[i + 1]!);
        if (r < 0.15) small++;
        expect(Math.abs(Math.hypot(b[i]!, b[i + 1]!) - r), `radius of pair ${i / 2} on ${gpu.name}`).toBeLessThanOrEqual(1e-6 * r + 1e-12);
      }
      expect(small).toBeGreaterThan(100);
    }
  });

  it('randint and randomBits are identical on the CPU, WebGPU and wasm, and randint stays in [low, high)', async () => {
    const devices = await kernelDevices();
    await fc.assert(
      fc.asyncProperty(
        shapeArb,
        seedArb,
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 2 }),
        fc.integer({ min: 1, max: 2 ** 32 - 1 }),
        async (shape, seed, low, w) => {
          const high = Math.min(low + w, 2 ** 31);
          const a = await randint(shape, low, high, { seed, device: cpu }).toArray();
          expect(a.constructor.name).toBe('Int32Array');
          for (const v of a) expect(v >= low && v < high).toBe(true);
          const bits = await randomBits(shape, { seed, device: cpu }).toArray();
          for (const gpu of devices) {
            expect(await randint(shape, low, high, { seed, device: gpu }).toArray(), gpu.name).toEqual(a);
            expect(await randomBits(shape, { seed, device: gpu }).toArray(), gpu.name).toEqual(bits);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('generators', () => {
  it('successive draws differ, and each consumes ceil(n/4) counter blocks', async () => {
    for (const device of await allDevices()) {
      const g = new Generator(42);
      const a = await rand([10], { generator: g, device }).toArray();
      expect(g.offset).toBe(3);
      const b = await rand([10], { generator: g, device }).toArray();
      expect(g.offset).toBe(6);
      expect(Array.from(a)).not.toEqual(Array.from(b));
      // Draws of whole blocks tile one stream: two draws of 8 are one draw of 16.
      const g2 = new Generator(42);
      const first = await rand([8], { generator: g2, device }).toArray();
      const second = await rand([8], { generator: g2, device }).toArray();
      expect([...first, ...second]).toEqual(Array.from(await rand([16], { generator: new Generator(42), device }).toArray()));
    }
  });

  it('the same sequence of calls gives the same numbers on the CPU, WebGPU and wasm', async () => {
    const run = async (device: Device) => {
      const g = new Generator(2014);
      const out: number[] = [];
      out.push(...(await rand([5], { generator: g, device }).toArray()));
      out.push(...(await randomBits([3], { generator: g, device }).toArray()));
      out.push(...(await rand([2, 3], { generator: g, device, low: -1, high: 1 }).toArray()));
      out.push(...(await randint([7], 0, 10, { generator: g, device }).toArray()));
      const n = await randn([9], { generator: g, device }).toArray();
      return { out, n: Array.from(n), offset: g.offset };
    };
    const a = await run(cpu);
    for (const gpu of await kernelDevices()) {
      const b = await run(gpu);
      expect(b.out).toEqual(a.out);
      expectClose(b.n, a.n, { atol: 1e-6, rtol: 2e-6 });
      expect(b.offset).toBe(a.offset);
    }
    expect(a.offset).toBe(2 + 1 + 2 + 2 + 3);
  });

  it('an explicit seed is a fresh stateless stream and advances no generator', async () => {
    const gpu = await webgpu();
    manualSeed(7);
    const before = defaultGenerator().offset;
    const a = await rand([6], { seed: 123, device: gpu }).toArray();
    const b = await rand([6], { seed: 123, device: gpu }).toArray();
    expect(b).toEqual(a);
    expect(defaultGenerator().offset).toBe(before);
    // A seeded draw is the first draw of a fresh generator with that seed.
    expect(a).toEqual(await rand([6], { generator: new Generator(123), device: gpu }).toArray());
    expect(Array.from(a)).not.toEqual(Array.from(await rand([6], { seed: 124, device: gpu }).toArray()));
  });

  it('manualSeed restarts the default generator; state round-trips through getState/setState and clone', async () => {
    manualSeed(11);
    const a = await rand([5], { device: cpu }).toArray();
    const saved = defaultGenerator().getState();
    const c = defaultGenerator().clone();
    const b = await rand([5], { device: cpu }).toArray();
    expect(Array.from(b)).not.toEqual(Array.from(a));
    expect(await rand([5], { device: cpu, generator: c }).toArray()).toEqual(b);
    defaultGenerator().setState(saved);
    expect(await rand([5], { device: cpu }).toArray()).toEqual(b);
    manualSeed(11);
    expect(await rand([5], { device: cpu }).toArray()).toEqual(a);
    expect(new Generator().seed).toBe(DEFAULT_SEED);
  });
});

describe('statistics (1e5 samples, fixed seeds)', () => {
  const N = 100_000;
  const moments = (a: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m += a[i]!;
    m /= a.length;
    let v = 0;
    for (let i = 0; i < a.length; i++) v += (a[i]! - m) ** 2;
    return { mean: m, variance: v / (a.length - 1) };
  };

  it('rand: mean, variance and a chi-square test of uniformity', async () => {
    const gpu = await wasm();
    const u = await rand([N], { seed: 31337, device: gpu }).toArray();
    const { mean, variance } = moments(u);
    // Standard errors: sqrt(1/12/N) for the mean, sqrt((1/80 - 1/144)/N) for the variance.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / N));
    const bins = 100;
    const counts = new Array<number>(bins).fill(0);
    for (const x of u) {
      expect(x >= 0 && x < 1).toBe(true);
      counts[Math.floor(x * bins)]!++;
    }
    const e = N / bins;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    // 99 degrees of freedom: mean 99, sd 14; both tails are suspicious.
    expect(chi2).toBeGreaterThan(99 - 5 * 14);
    expect(chi2).toBeLessThan(99 + 5 * 14);
  });

  it('randn: mean, variance, the one-sigma fraction and the tails', async () => {
    for (const device of await allDevices()) {
      const z = await randn([N], { seed: 271828, device }).toArray();
      const { mean, variance } = moments(z);
      expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(N));
      expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
      let within = 0;
      let beyond3 = 0;
      for (const x of z) {
        if (Math.abs(x) < 1) within++;
        if (Math.abs(x) > 3) beyond3++;
      }
      const p1 = 0.682689492;
      expect(Math.abs(within / N - p1)).toBeLessThan(5 * Math.sqrt((p1 * (1 - p1)) / N));
      const p3 = 0.0026997961;
      expect(Math.abs(beyond3 / N - p3)).toBeLessThan(5 * Math.sqrt((p3 * (1 - p3)) / N));
      // Shifted and scaled.
      const s = moments(await randn([N], { seed: 5, mean: 3, std: 0.5, device }).toArray());
      expect(Math.abs(s.mean - 3)).toBeLessThan((5 * 0.5) / Math.sqrt(N));
      expect(Math.abs(s.variance - 0.25)).toBeLessThan(5 * 0.25 * Math.sqrt(2 / N));
    }
  });

  it('randint: every value equally often (chi-square)', async () => {
    const gpu = await webgpu();
    const v = await randint([N], -3, 7, { seed: 8, device: gpu }).toArray();
    const counts = new Array<number>(10).fill(0);
    for (const x of v) counts[x + 3]!++;
    const e = N / 10;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    // 9 degrees of freedom: P(chi2 > 33) < 2e-4.
    expect(chi2).toBeLessThan(33);
  });
});

describe('wasm threads', () => {
  it('1 and 2 threads draw the same bits (rand, randn, randint, randomBits, philox)', async () => {
    const one = await wasm(1);
    const two = await wasm(2);
    for (const n of [1, 7, 16, 1021, 40_003]) {
      for (const device of [one, two]) expect(device.threads).toBe(device === one ? 1 : 2);
      const draw = async (device: Device) => [
        await rand([n], { seed: n, device, low: -3, high: 5 }).toArray(),
        await randn([n], { seed: n + 1, device }).toArray(),
        await randint([n], -9, 1000, { seed: n + 2, device }).toArray(),
        await randomBits([n], { seed: n + 3, device }).toArray(),
      ];
      expect(await draw(two)).toEqual(await draw(one));
    }
    const counters = Array.from({ length: 4 * 1003 }, (_, i) => (i * 2654435761) >>> 0);
    const want = await philox(fromArray(counters, [1003, 4], { dtype: 'u32', device: cpu }), 77).toArray();
    for (const device of [one, two]) {
      expect(await philox(fromArray(counters, [1003, 4], { dtype: 'u32', device }), 77).toArray(), device.name).toEqual(want);
    }
  });
});

describe('errors', () => {
  it('names the op and what it expected', async () => {
    const gpu = await webgpu();
    expect(() => rand([2], { seed: -1 })).toThrowError(/rand: seed -1 is not a non-negative safe integer/);
    expect(() => rand([2], { seed: 1n << 64n })).toThrowError(/rand: seed \d+ is out of range/);
    expect(() => rand([2], { seed: 1, generator: new Generator(1) })).toThrowError(/rand: both `seed` and `generator`/);
    expect(() => rand([2], { low: 2, high: 1 })).toThrowError(/rand: low 2 is above high 1/);
    expect(() => rand([2], { high: Infinity })).toThrowError(/rand: high is Infinity; expected a finite number/);
    expect(() => rand([2], { device: gpu, dtype: 'f64' })).toThrowError(/rand: dtype f64 is supported on the CPU only/);
    const w = await wasm();
    expect(() => randn([2], { device: w, dtype: 'f64' })).toThrowError(/randn: dtype f64 is supported on the CPU only; expected f32 on wasm/);
    expect(() => rand([2.5])).toThrowError(SaddleError);
    expect(() => randn([2], { std: -1 })).toThrowError(/randn: std -1 is negative/);
    expect(() => randint([2], 3, 3)).toThrowError(/randint: range \[3, 3\) is invalid/);
    expect(() => randint([2], 0.5, 3)).toThrowError(/randint: range/);
    expect(() => philox(fromArray([1, 2, 3], [3], { dtype: 'u32' }), 0)).toThrowError(/philox: counters have shape \[3\]; expected \[\.\.\., 4\]/);
    expect(() => philox(fromArray([1, 2, 3, 4], [4]), 0)).toThrowError(/philox: counters have dtype f32; expected u32/);
    expect(() => new Generator(1.5)).toThrowError(/Generator: seed 1.5/);
    // A failed draw consumes nothing.
    const g = new Generator(3);
    expect(() => rand([2], { generator: g, low: 5, high: 4 })).toThrowError(SaddleError);
    expect(g.offset).toBe(0);
  });
});
