import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { contiguousStrides, cpu, fromArray, SaddleError, type Device, type DType, type Tensor } from '@saddle/tensor';
import { argmax, max, mean, sum, sumTo } from '@saddle/ops';
import { allDevices, kernelDevices, wasm } from '../support/devices.js';
import { expectClose } from '../support/compare.js';
import { randomNumbers as randomData } from '../support/random-data.js';

const EPS32 = 2 ** -23;
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/**
 * `data` laid out as a dense tensor of `shape`, behind `pad` junk elements, seen through the
 * permutation `perm` of its dims: a non-dense view (offset and transposed strides).
 */
function makeView(device: Device, data: readonly number[], shape: readonly number[], perm: readonly number[], pad: number, dtype: DType = 'f32'): Tensor {
  const base = fromArray([...new Array<number>(pad).fill(12345), ...data], [pad + data.length], { device, dtype });
  const strides = contiguousStrides(shape);
  const v = base.view(
    perm.map((i) => shape[i]!),
    perm.map((i) => strides[i]!),
    pad,
  );
  base.dispose();
  return v;
}

interface Case {
  shape: number[];
  perm: number[];
  pad: number;
  axes: number | number[] | undefined;
  keepDims: boolean;
  seed: number;
}

/** A shape of rank 0..maxRank, a permutation of it, a padding, and axes given in every accepted form. */
const caseArb = (maxRank: number, maxDim: number): fc.Arbitrary<Case> =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: 0, maxLength: maxRank }).chain((shape) => {
    const idx = shape.map((_, i) => i);
    return fc.record({
      shape: fc.constant(shape),
      perm: fc.shuffledSubarray(idx, { minLength: shape.length, maxLength: shape.length }),
      pad: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 7 })),
      axes: fc.oneof(
        fc.constant(undefined),
        fc
          .subarray(idx)
          .chain((ax) => fc.tuple(...ax.map((a) => fc.constantFrom(a, a - shape.length))))
          .map((ax) => [...ax]),
        shape.length > 0 ? fc.integer({ min: -shape.length, max: shape.length - 1 }) : fc.constant(undefined),
      ),
      keepDims: fc.boolean(),
      seed: fc.integer(),
    });
  });

/** The reduced count of a case (as the view sees the axes). */
function reducedCount(c: Case): number {
  const vshape = c.perm.map((i) => c.shape[i]!);
  if (c.axes === undefined) return size(vshape);
  const list = typeof c.axes === 'number' ? [c.axes] : c.axes;
  return size([...new Set(list.map((a) => (a < 0 ? a + vshape.length : a)))].map((a) => vshape[a]!));
}

type ReduceFn = (x: Tensor, axes?: number | number[], keepDims?: boolean) => Tensor;

async function compareOnDevices(fn: ReduceFn, c: Case, data: number[], tol: { atol: number; rtol: number }, label: string) {
  const xc = makeView(cpu, data, c.shape, c.perm, c.pad);
  const want = fn(xc, c.axes, c.keepDims);
  for (const device of await kernelDevices()) {
    const xg = makeView(device, data, c.shape, c.perm, c.pad);
    const got = fn(xg, c.axes, c.keepDims);
    expect(got.shape).toEqual(want.shape);
    expect(got.dtype).toBe(want.dtype);
    expectClose(await got.toArray(), await want.toArray(), { ...tol, label: `${label} on ${device.name} ${JSON.stringify(c)}` });
    for (const t of [xg, got]) t.dispose();
  }
  for (const t of [xc, want]) t.dispose();
}

/** Bound on the f32 error of a tree/pairwise sum of n terms of magnitude <= m (64-element runs, then a tree). */
const sumAtol = (n: number, m: number) => (Math.min(n, 64) + Math.log2(n + 1) + 2) * EPS32 * n * m;

describe('sum, mean, max on WebGPU and wasm match the CPU twin', () => {
  it('random shapes, axes, keepDims and strided views', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb(5, 6), async (c) => {
        const data = randomData(size(c.shape), c.seed, -100, 100);
        const n = reducedCount(c);
        await compareOnDevices(sum, c, data, { atol: sumAtol(n, 100), rtol: 0 }, 'sum');
        await compareOnDevices(mean, c, data, { atol: sumAtol(n, 100) / n + 1e-6, rtol: 1e-6 }, 'mean');
        await compareOnDevices(max, c, data, { atol: 0, rtol: 0 }, 'max');
      }),
      { numRuns: 20 },
    );
  });

  it('ranks 6 to 8', async () => {
    await fc.assert(
      fc.asyncProperty(
        caseArb(8, 3).filter((c) => c.shape.length >= 6),
        async (c) => {
          const data = randomData(size(c.shape), c.seed, -1e4, 1e4);
          await compareOnDevices(sum, c, data, { atol: sumAtol(reducedCount(c), 1e4), rtol: 0 }, 'sum');
          await compareOnDevices(max, c, data, { atol: 0, rtol: 0 }, 'max');
        },
      ),
      { numRuns: 10 },
    );
  });

  it('long reductions (two passes) stay accurate: 100k elements of +-1e4', async () => {
    const shapes: [number[], number[], number | number[] | undefined][] = [
      [[100_003], [0], undefined],
      [[3, 40_000], [0, 1], 1],
      [[40_000, 3], [1, 0], -1], // the reduced axis is strided (a transposed view)
      [
        [2, 150, 120],
        [2, 0, 1],
        [0, 2],
      ],
    ];
    for (const [i, [shape, perm, axes]] of shapes.entries()) {
      const data = randomData(size(shape), 17 + i, -1e4, 1e4);
      const c: Case = { shape, perm, pad: 3, axes, keepDims: i % 2 === 0, seed: 0 };
      const n = reducedCount(c);
      await compareOnDevices(sum, c, data, { atol: sumAtol(n, 1e4), rtol: 0 }, 'sum');
      await compareOnDevices(mean, c, data, { atol: sumAtol(n, 1e4) / n, rtol: 1e-6 }, 'mean');
      await compareOnDevices(max, c, data, { atol: 0, rtol: 0 }, 'max');
      // Integers in [-100, 100]: every partial sum stays below 2^24, so any order is exact and a
      // dropped or doubled element shows up (the float tolerance above is a worst-case bound).
      const ints = randomData(size(shape), 91 + i, -100, 101).map(Math.floor);
      await compareOnDevices(sum, c, ints, { atol: 0, rtol: 0 }, 'sum of integers');
    }
    for (const gpu of await kernelDevices()) {
      // A sum whose naive f32 running total would drift: 2^20 ones plus 0.1s.
      const ones = fromArray(new Float32Array(1 << 20).fill(1), [1 << 20], { device: gpu });
      expect(await sum(ones).item()).toBe(1 << 20);
      const tenths = fromArray(new Float32Array(200_000).fill(0.1), [200_000], { device: gpu });
      expect(Math.abs((await sum(tenths).item()) - 200_000 * Math.fround(0.1))).toBeLessThan(0.05);
      expect(Math.abs((await mean(tenths).item()) - Math.fround(0.1))).toBeLessThan(1e-7);
    }
  });

  it('sums many short rows, and reduces the leading axis of a [B, D] batch', async () => {
    const cases: Case[] = [
      { shape: [5000, 3], perm: [0, 1], pad: 0, axes: 1, keepDims: false, seed: 1 },
      { shape: [300, 77], perm: [0, 1], pad: 0, axes: 0, keepDims: true, seed: 2 },
      { shape: [70_000, 2], perm: [0, 1], pad: 1, axes: 1, keepDims: false, seed: 3 },
    ];
    for (const c of cases) {
      const data = randomData(size(c.shape), c.seed, -1, 1);
      await compareOnDevices(sum, c, data, { atol: sumAtol(reducedCount(c), 1), rtol: 0 }, 'sum');
      await compareOnDevices(max, c, data, { atol: 0, rtol: 0 }, 'max');
    }
  });

  it('integer dtypes', async () => {
    const data = [3, -7, 12, 5, -2, 9, 0, 4, -11, 8, 6, -1];
    for (const d of await allDevices()) {
      const x = fromArray(data, [3, 4], { device: d, dtype: 'i32' });
      expect(Array.from(await sum(x, 1).toArray())).toEqual([13, 11, 2]);
      expect(Array.from(await max(x, 0).toArray())).toEqual([3, 9, 12, 5]);
      expect(Array.from(await argmax(x, 1).toArray())).toEqual([2, 1, 1]);
      const u = fromArray([4, 9, 9, 1], [4], { device: d, dtype: 'u32' });
      expect(Array.from(await sum(u).toArray())).toEqual([23]);
      expect(await argmax(u, 0).item()).toBe(1);
      expect(() => mean(x)).toThrowError(/mean: dtype i32 is not supported; expected f32 or f64/);
    }
  });

  it('max propagates NaN; +-inf are ordinary values', async () => {
    for (const d of await allDevices()) {
      const x = fromArray([1, NaN, 3, -Infinity, -Infinity, -Infinity, 2, Infinity, 5, 6, NaN, NaN], [4, 3], { device: d });
      const m = Array.from(await max(x, 1).toArray());
      expect(m[0]).toBeNaN();
      expect(m.slice(1, 3)).toEqual([-Infinity, Infinity]);
      expect(m[3]).toBeNaN();
      expect(Array.from(await argmax(x, 1).toArray())).toEqual([1, 0, 1, 1]);
      expect(Array.from(await max(x, 0).toArray()).map(String)).toEqual(['6', 'NaN', 'NaN']);
      expect(await max(x).item()).toBeNaN();
    }
  });
});

describe('argmax', () => {
  it('matches the CPU twin (first index on ties) for random shapes, axes and views', async () => {
    const devices = await kernelDevices();
    await fc.assert(
      fc.asyncProperty(
        caseArb(4, 6).filter((c) => c.shape.length > 0),
        fc.integer({ min: 0, max: 100 }),
        async (c, axisSeed) => {
          const rank = c.shape.length;
          const axis = (axisSeed % (2 * rank)) - rank;
          // Values from a tiny set: ties everywhere.
          const data = randomData(size(c.shape), c.seed, 0, 3).map(Math.floor);
          const xc = makeView(cpu, data, c.shape, c.perm, c.pad);
          const want = argmax(xc, axis, c.keepDims);
          for (const gpu of devices) {
            const xg = makeView(gpu, data, c.shape, c.perm, c.pad);
            const got = argmax(xg, axis, c.keepDims);
            expect(got.dtype).toBe('i32');
            expect(got.shape).toEqual(want.shape);
            expect(Array.from(await got.toArray())).toEqual(Array.from(await want.toArray()));
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('finds the first of tied maxima in a long axis (two passes)', async () => {
    const n = 50_000;
    const data = randomData(2 * n, 5, -1e4, 1e4);
    data[31_000] = 2e4; // row 0: a tie between 31000 and 45000, in different chunks
    data[45_000] = 2e4;
    data[n + 17_000] = 3e4; // row 1: a tie inside one chunk
    data[n + 17_001] = 3e4;
    data[n + 40_000] = 3e4;
    for (const d of await allDevices()) {
      const x = fromArray(data, [2, n], { device: d });
      expect(Array.from(await argmax(x, 1).toArray())).toEqual([31_000, 17_000]);
      expect(Array.from(await argmax(x, -1, true).toArray())).toEqual([31_000, 17_000]);
      expect(argmax(x, 1, true).shape).toEqual([2, 1]);
      // The transposed view [n, 2]: the reduced dim 0 is the contiguous one, the kept dim has stride n.
      const xt = x.view([n, 2], [1, n], 0);
      expect(Array.from(await argmax(xt, 0).toArray())).toEqual([31_000, 17_000]);
      expect(Array.from(await max(xt, 0).toArray())).toEqual([2e4, 3e4]);
    }
    for (const gpu of await kernelDevices()) {
      const all = fromArray(new Float32Array(40_000).fill(-Infinity), [40_000], { device: gpu });
      expect(await argmax(all, 0).item()).toBe(0);
    }
  });
});

describe('empty reductions and sumTo', () => {
  it('sum of nothing is 0, mean is NaN, max is an error; empty outputs are fine', async () => {
    for (const d of await allDevices()) {
      const x = fromArray([], [3, 0], { device: d });
      expect(Array.from(await sum(x, 1).toArray())).toEqual([0, 0, 0]);
      const m = Array.from(await mean(x, 1).toArray());
      expect(m).toHaveLength(3);
      expect(m.every(Number.isNaN)).toBe(true);
      expect(await sum(x).item()).toBe(0);
      expect(() => max(x, 1)).toThrowError(/max: the reduced axes \[1\] of \[3, 0\] hold no elements/);
      expect(() => argmax(x, 1)).toThrowError(/argmax: the reduced axes \[1\] of \[3, 0\] hold no elements/);
      const e = max(x, 0);
      expect(e.shape).toEqual([0]);
      expect(sum(x, 0, true).shape).toEqual([1, 0]);
    }
  });

  it('sumTo sums broadcast dims away, matching the CPU', async () => {
    const devices = await kernelDevices();
    const pair = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 5 }).chain((s) =>
      fc.tuple(
        fc.constant(s),
        fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
        fc.integer({ min: 0, max: s.length }),
        fc.shuffledSubarray(
          s.map((_, i) => i),
          { minLength: s.length, maxLength: s.length },
        ),
        fc.integer(),
      ),
    );
    await fc.assert(
      fc.asyncProperty(pair, async ([base, ones, drop, perm, seed]) => {
        const data = randomData(size(base), seed, -10, 10);
        const vshape = perm.map((i) => base[i]!);
        const target = vshape.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
        const xc = makeView(cpu, data, base, perm, 2);
        const want = sumTo(xc, target);
        expect(want.shape).toEqual(target);
        const n = size(vshape) / Math.max(1, size(target));
        for (const gpu of devices) {
          const got = sumTo(makeView(gpu, data, base, perm, 2), target);
          expect(got.shape).toEqual(target);
          expectClose(await got.toArray(), await want.toArray(), { atol: sumAtol(n, 10), rtol: 0, label: `sumTo on ${gpu.name}` });
        }
        // The same result as summing the axes explicitly.
        const lead = vshape.length - target.length;
        const axes = vshape.map((_, i) => i).filter((i) => i < lead || (target[i - lead] === 1 && vshape[i] !== 1));
        expectClose(await want.toArray(), await sum(xc, axes).toArray(), { atol: 1e-4, rtol: 1e-6 });
      }),
      { numRuns: 20 },
    );
  });

  it('sumTo to the same shape is a dense copy; incompatible shapes are errors', async () => {
    for (const d of await allDevices()) {
      const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: d });
      const xt = x.view([3, 2], [1, 3], 0);
      const c = sumTo(xt, [3, 2]);
      expect(c).not.toBe(xt);
      expect(c.isDense).toBe(true);
      x.dispose();
      xt.dispose();
      expect(Array.from(await c.toArray())).toEqual([1, 4, 2, 5, 3, 6]);
      const y = fromArray([1, 2, 3], [3], { device: d });
      expect(sumTo(y, [1, 3]).shape).toEqual([1, 3]);
      expect(Array.from(await sumTo(y, [1, 1]).toArray())).toEqual([6]);
      expect(Array.from(await sumTo(y, []).toArray())).toEqual([6]);
      expect(() => sumTo(y, [2])).toThrowError(/sumTo: cannot sum \[3\] down to \[2\]/);
      expect(() => sumTo(y, [2, 3])).toThrowError(/sumTo: cannot sum \[3\] down to \[2, 3\]/);
    }
  });
});

describe('wasm reductions: 1 thread and 2 threads agree bit for bit', () => {
  // The pieces a row is cut into depend on the shape only, and each piece is summed by the same
  // instructions whichever thread takes it, so the thread count cannot change a bit.
  it('sum, mean, max, argmax over contiguous, strided and multi-pass layouts', async () => {
    const [one, two] = [await wasm(1), await wasm(2)];
    const cases: [number[], number[], number | number[] | undefined][] = [
      [[100_003], [0], undefined],
      [[37, 2_001], [0, 1], 1],
      [[2_001, 37], [1, 0], 1],
      [
        [30, 40, 50],
        [2, 0, 1],
        [0, 2],
      ],
      [[300, 77], [0, 1], 0],
    ];
    for (const [i, [shape, perm, axes]] of cases.entries()) {
      const data = randomData(size(shape), 40 + i, -1e3, 1e3);
      for (const fn of [sum, mean, max, (x: Tensor, a?: number | number[]) => argmax(x, typeof a === 'number' ? a : 0)] as ReduceFn[]) {
        const [r1, r2] = await Promise.all([one, two].map((d) => fn(makeView(d, data, shape, perm, 3), axes).toArray()));
        expect(Array.from(r2!), `${fn.name} ${JSON.stringify(shape)}`).toEqual(Array.from(r1!));
      }
    }
  });
});

describe('errors and the f64 CPU path', () => {
  it('names the op and what was expected', async () => {
    for (const gpu of await kernelDevices()) {
      const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
      expect(() => sum(x, 2)).toThrowError(/sum: axis 2 is out of range for a tensor of rank 2; expected -2 <= axis < 2/);
      expect(() => mean(x, [0, -3])).toThrowError(/mean: axis -3 is out of range/);
      expect(() => max(x, 0.5)).toThrowError(SaddleError);
      expect(() => argmax(x, 2)).toThrowError(/argmax: axis 2 is out of range/);
      expect(() => argmax(x, [0] as unknown as number)).toThrowError(/argmax: axis 0 is not a number; expected one axis/);
      const big = fromArray([1], [1, 1, 1, 1, 1, 1, 1, 1, 1], { device: gpu });
      expect(() => sum(big)).toThrowError(/sum: rank 9 .* exceeds the maximum of 8/);
      const d = fromArray([1], [1], { device: gpu });
      d.dispose();
      expect(() => sum(d)).toThrowError(/sum: tensor #\d+ \[1\] was disposed/);
    }
  });

  it('reduces f64 on the CPU in double precision', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb(4, 5), async (c) => {
        // 1 + tiny: lost entirely in f32, kept in f64.
        const data = randomData(size(c.shape), c.seed, -1, 1).map((v) => 1 + v * 1e-12);
        const x = makeView(cpu, data, c.shape, c.perm, c.pad, 'f64');
        const s = sum(x, c.axes, c.keepDims);
        const m = mean(x, c.axes, c.keepDims);
        expect(s.dtype).toBe('f64');
        // An independent reference: reduce a dense f64 copy with nested loops over coordinates.
        const vshape = c.perm.map((i) => c.shape[i]!);
        const axes =
          c.axes === undefined ? vshape.map((_, i) => i) : (typeof c.axes === 'number' ? [c.axes] : c.axes).map((a) => (a < 0 ? a + vshape.length : a));
        const ax = new Set(axes);
        const vals = await x.toArray();
        const keptShape = vshape.filter((_, i) => !ax.has(i));
        const want = new Array<number>(size(keptShape)).fill(0);
        for (let i = 0; i < vals.length; i++) {
          let rem = i;
          let o = 0;
          let mul = 1;
          for (let dim = vshape.length - 1; dim >= 0; dim--) {
            const coord = rem % vshape[dim]!;
            rem = Math.floor(rem / vshape[dim]!);
            if (!ax.has(dim)) {
              o += coord * mul;
              mul *= vshape[dim]!;
            }
          }
          want[o]! += vals[i]!;
        }
        const n = reducedCount(c);
        expectClose(await s.toArray(), want, { atol: 1e-13 * n, rtol: 0 });
        expectClose(
          await m.toArray(),
          want.map((w) => w / n),
          { atol: 1e-14, rtol: 0 },
        );
        expect(Array.from(await max(x, c.axes, c.keepDims).toArray()).every((v) => v > 1 - 2e-12)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});
