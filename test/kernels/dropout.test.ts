import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError } from '@saddle/tensor';
import { dropout, dropoutMask, Generator, rand, keepThreshold } from '@saddle/ops';
import { allDevices, kernelDevices, wasm, webgpu } from '../support/devices.js';

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const shapeArb = fc.oneof(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 4 }), fc.constantFrom([0], [1], [3], [5], [1023], [257, 5]));
const keepArb = fc.oneof(fc.constantFrom(1e-6, 0.1, 0.5, 0.8, 1 - 2 ** -24, 1), fc.double({ min: 1e-3, max: 1, noNaN: true }));
/** Values without subnormals (GPUs may flush them), including large magnitudes. */
const valueArb = fc.oneof(
  fc.constantFrom(0, 1, -1, 3e38, -3e38, 1e-30),
  fc.float({ min: -100, max: 100, noNaN: true }).map((v) => (Math.abs(v) < 1e-30 ? 0 : v)),
);

describe('dropoutMask', () => {
  it('is identical on the CPU, WebGPU and wasm and holds 0 or 1/keep', async () => {
    const devices = await kernelDevices();
    await fc.assert(
      fc.asyncProperty(shapeArb, keepArb, fc.integer({ min: 0, max: 2 ** 40 }), async (shape, keep, seed) => {
        const a = await dropoutMask(shape, keep, { seed, device: cpu }).toArray();
        for (const gpu of devices) expect(await dropoutMask(shape, keep, { seed, device: gpu }).toArray(), gpu.name).toEqual(a);
        expect(a.length).toBe(size(shape));
        const s = Math.fround(1 / keep);
        for (const v of a) expect(v === 0 || v === s).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('keeps exactly the elements where rand from the same stream is below keep', async () => {
    for (const device of await allDevices()) {
      for (const keep of [0.25, 0.5, 0.9, 1 / 3]) {
        const m = await dropoutMask([1001], keep, { seed: 77, device }).toArray();
        const u = await rand([1001], { seed: 77, device }).toArray();
        expect(Array.from(m, (v) => v !== 0)).toEqual(Array.from(u, (v) => v < keep));
      }
    }
    expect(keepThreshold(1)).toBe(2 ** 24);
    expect(keepThreshold(0.5)).toBe(2 ** 23);
    expect(keepThreshold(1e-9)).toBe(1);
  });

  it('keeps a fraction keep of 1e5 elements (within 5 standard errors)', async () => {
    const gpu = await wasm();
    const N = 100_000;
    for (const keep of [0.2, 0.5, 0.8]) {
      const m = await dropoutMask([N], keep, { seed: 1234, device: gpu }).toArray();
      let kept = 0;
      for (const v of m) if (v !== 0) kept++;
      expect(Math.abs(kept / N - keep)).toBeLessThan(5 * Math.sqrt((keep * (1 - keep)) / N));
    }
  });

  it('draws fresh masks from a generator and the same mask from a seed', async () => {
    const gpu = await webgpu();
    const g = new Generator(9);
    const a = await dropoutMask([64], 0.5, { generator: g, device: gpu }).toArray();
    const b = await dropoutMask([64], 0.5, { generator: g, device: gpu }).toArray();
    expect(g.offset).toBe(32);
    expect(Array.from(b)).not.toEqual(Array.from(a));
    const s1 = await dropoutMask([64], 0.5, { seed: 9, device: gpu }).toArray();
    const s2 = await dropoutMask([64], 0.5, { seed: 9, device: gpu }).toArray();
    expect(s2).toEqual(s1);
    expect(s1).toEqual(a);
  });

  it('gives ones for keep = 1 without drawing, and f64 on the CPU', async () => {
    const g = new Generator(1);
    expect(Array.from(await dropoutMask([2, 3], 1, { generator: g, device: await webgpu() }).toArray())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(g.offset).toBe(0);
    const m64 = dropoutMask([50], 0.3, { seed: 4, device: cpu, dtype: 'f64' });
    expect(m64.dtype).toBe('f64');
    const m32 = await dropoutMask([50], 0.3, { seed: 4, device: cpu }).toArray();
    expect(Array.from(await m64.toArray(), (v) => v !== 0)).toEqual(Array.from(m32, (v) => v !== 0));
    expect((await m64.toArray()).find((v) => v !== 0)).toBe(1 / 0.3);
  });
});

describe('dropout', () => {
  it('out = x * mask and the mask, identical on the CPU, WebGPU and wasm, for dense and strided x', async () => {
    const devices = await allDevices();
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 })
          .chain((s) => fc.tuple(fc.constant(s), fc.array(valueArb, { minLength: size(s), maxLength: size(s) }))),
        keepArb,
        fc.integer({ min: 0, max: 1e6 }),
        fc.boolean(),
        async ([shape, data], keep, seed, transposed) => {
          const results = [];
          for (const device of devices) {
            let x = fromArray(data, shape, { device });
            if (transposed) {
              // The reversed-axes view: element order differs from the storage's.
              const rev = [...shape].reverse();
              x = x.view(rev, [...x.strides].reverse(), 0);
            }
            const { out, mask } = dropout(x, keep, { seed });
            const xs = await x.toArray();
            const o = await out.toArray();
            const m = await mask.toArray();
            expect(out.shape).toEqual(x.shape);
            for (let i = 0; i < o.length; i++) expect(o[i]).toBe(m[i] === 0 ? 0 : Math.fround(xs[i]! * m[i]!));
            // The mask is the one dropoutMask draws from the same stream.
            expect(m).toEqual(await dropoutMask(x.shape, keep, { seed, device }).toArray());
            results.push({ o, m });
          }
          for (const r of results.slice(1)) {
            expect(r.o).toEqual(results[0]!.o);
            expect(r.m).toEqual(results[0]!.m);
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('keeps the expectation: mean(out) ~ mean(x) over 1e5 elements', async () => {
    const gpu = await webgpu();
    const N = 100_000;
    const keep = 0.4;
    const c = 2.5;
    const { out } = dropout(fromArray(new Float32Array(N).fill(c), [N], { device: gpu }), keep, { seed: 3 });
    let sum = 0;
    for (const v of await out.toArray()) sum += v;
    // out is c/keep with probability keep: standard deviation c * sqrt((1 - keep) / keep).
    expect(Math.abs(sum / N - c)).toBeLessThan((5 * c * Math.sqrt((1 - keep) / keep)) / Math.sqrt(N));
    // Elementwise over repeated draws: the average of 400 dropouts of a ramp is the ramp.
    const x = fromArray(
      Array.from({ length: 32 }, (_, i) => i - 10),
      [32],
      { device: gpu },
    );
    const g = new Generator(5);
    const acc = new Float64Array(32);
    const R = 400;
    for (let r = 0; r < R; r++) {
      const o = await dropout(x, 0.5, { generator: g }).out.toArray();
      for (let i = 0; i < 32; i++) acc[i]! += o[i]!;
    }
    for (let i = 0; i < 32; i++) expect(Math.abs(acc[i]! / R - (i - 10))).toBeLessThan((5 * Math.abs(i - 10)) / Math.sqrt(R) + 1e-9);
  });

  it('writes 0 for dropped elements even when x is not finite', async () => {
    for (const device of await allDevices()) {
      const x = fromArray(new Float32Array(64).fill(Infinity), [64], { device });
      const { out, mask } = dropout(x, 0.5, { seed: 0 });
      const o = await out.toArray();
      const m = await mask.toArray();
      for (let i = 0; i < 64; i++) expect(o[i]).toBe(m[i] === 0 ? 0 : Infinity);
    }
  });

  it('keep = 1 returns a dense copy and a mask of ones, drawing nothing', async () => {
    for (const gpu of await kernelDevices()) {
      const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
      const xt = x.view([3, 2], [1, 3], 0);
      const g = new Generator(0);
      const { out, mask } = dropout(xt, 1, { generator: g });
      expect(out.isDense).toBe(true);
      expect(out.storage).not.toBe(x.storage);
      expect(Array.from(await out.toArray())).toEqual([1, 4, 2, 5, 3, 6]);
      expect(Array.from(await mask.toArray())).toEqual([1, 1, 1, 1, 1, 1]);
      expect(g.offset).toBe(0);
    }
  });

  it('1 and 2 wasm threads give the same bits, dense and strided, and the same as the CPU', async () => {
    const n = 20_001;
    const data = Array.from({ length: n }, (_, i) => Math.sin(i) * 100);
    const results = [];
    for (const device of [cpu, await wasm(1), await wasm(2)]) {
      const x = fromArray(data, [n], { device });
      const xt = fromArray(data, [3, 6667], { device }).view([6667, 3], [1, 6667], 0);
      const a = dropout(x, 0.3, { seed: 8 });
      const b = dropout(xt, 0.7, { seed: 9 });
      const m = dropoutMask([n], 0.55, { seed: 10, device });
      results.push([await a.out.toArray(), await a.mask.toArray(), await b.out.toArray(), await b.mask.toArray(), await m.toArray()]);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('works in f64 on the CPU with the f32 mask pattern', async () => {
    const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], [9], { device: cpu, dtype: 'f64' });
    const { out, mask } = dropout(x, 0.7, { seed: 12 });
    expect(out.dtype).toBe('f64');
    expect(mask.dtype).toBe('f64');
    const m = await mask.toArray();
    const ref = await dropoutMask([9], 0.7, { seed: 12, device: cpu }).toArray();
    expect(Array.from(m, (v) => v !== 0)).toEqual(Array.from(ref, (v) => v !== 0));
    expect(Array.from(await out.toArray())).toEqual(Array.from(m, (v, i) => v * (i + 1)));
  });

  it('rejects keep outside (0, 1] and non-float inputs, naming the op', async () => {
    for (const gpu of await kernelDevices()) {
      const x = fromArray([1, 2], [2], { device: gpu });
      for (const keep of [0, -0.5, 1.5, NaN]) {
        expect(() => dropout(x, keep)).toThrowError(/dropout: keep probability .* is out of range; expected 0 < keep <= 1/);
        expect(() => dropoutMask([2], keep)).toThrowError(/dropoutMask: keep probability/);
      }
      expect(() => dropout(fromArray([1, 2], [2], { device: gpu, dtype: 'i32' }), 0.5)).toThrowError(/dropout: x has dtype i32; expected f32 or f64/);
      expect(() => dropoutMask([2], 0.5, { device: gpu, dtype: 'f64' })).toThrowError(/dropoutMask: dtype f64 is supported on the CPU only/);
      expect(() => dropout(x, 0.5, { seed: 1, generator: new Generator(1) })).toThrowError(SaddleError);
      x.dispose();
      expect(() => dropout(x, 0.5)).toThrowError(/dropout: tensor #\d+ \[2\] was disposed/);
    }
  });
});
