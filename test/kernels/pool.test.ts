import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device, type Tensor } from '@saddle/tensor';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, maxPool2dWithIndices } from '@saddle/ops';
import { NAMED_DEVICES, allDevices, wasm, webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

interface Case {
  n: number;
  c: number;
  h: number;
  w: number;
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
  transposed: boolean;
}

const outSize = (len: number, k: number, s: number, p: number, d: number) => Math.floor((len + 2 * p - d * (k - 1) - 1) / s) + 1;

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 13 }),
    k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pf: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    transposed: fc.boolean(),
  })
  // Padding from 0 to half the kernel (PyTorch's limit), drawn as a fraction of that range.
  .map(({ pf, ...c }) => ({
    ...c,
    p: [0, 1].map((i) => Math.min(Math.floor(c.k[i]! / 2), Math.floor(pf[i]! * (Math.floor(c.k[i]! / 2) + 1)))) as [number, number],
  }))
  .filter(
    (c) =>
      outSize(c.h, c.k[0], c.s[0], c.p[0], c.d[0]) >= 1 &&
      outSize(c.w, c.k[1], c.s[1], c.p[1], c.d[1]) >= 1 &&
      outSize(c.h, c.k[0], c.s[0], c.p[0], 1) >= 1 &&
      outSize(c.w, c.k[1], c.s[1], c.p[1], 1) >= 1,
  );

/** Values from a small set (many ties) or spread wide. */
const valuesArb = (len: number) =>
  fc.oneof(
    fc.array(fc.constantFrom(-2, -1, 0, 1, 2), { minLength: len, maxLength: len }),
    fc.array(
      fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }).map((v) => (Math.abs(v) < 1e-20 ? 0 : v)),
      { minLength: len, maxLength: len },
    ),
  );

/** x [n, c, h, w], dense or a view of a dense [c, n, h, w] tensor with the first two dims swapped. */
function input(device: Device, data: number[], shape: number[], transposed: boolean, dtype: 'f32' | 'f64' = 'f32'): Tensor {
  if (!transposed) return fromArray(data, shape, { device, dtype });
  const [n, c, h, w] = shape as [number, number, number, number];
  const t = new Array<number>(data.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) for (let q = 0; q < h * w; q++) t[(j * n + i) * h * w + q] = data[(i * c + j) * h * w + q]!;
  const base = fromArray(t, [c, n, h, w], { device, dtype });
  const v = base.view(shape, [h * w, n * h * w, w, 1], 0);
  base.dispose();
  return v;
}

/**
 * The definitions, written out in f64 on a padded copy of each plane: max pads with -inf, and its
 * index is the first tap that is strictly greater than every earlier one (NaN: the first NaN).
 */
function reference(x: number[], c: Case, dy: number[], countIncludePad: boolean) {
  const [kh, kw] = c.k;
  const [sh, sw] = c.s;
  const [ph, pw] = c.p;
  const [dh, dw] = c.d;
  const planes = c.n * c.c;
  const padded = (pl: number, i: number, j: number) => (i < 0 || j < 0 || i >= c.h || j >= c.w ? undefined : Math.fround(x[pl * c.h * c.w + i * c.w + j]!));
  const oh = outSize(c.h, kh, sh, ph, dh);
  const ow = outSize(c.w, kw, sw, pw, dw);
  const max: number[] = [];
  const idx: number[] = [];
  const dxMax = new Array<number>(planes * c.h * c.w).fill(0);
  for (let pl = 0; pl < planes; pl++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        let at = -1;
        for (let a = 0; a < kh; a++) {
          for (let b = 0; b < kw; b++) {
            const v = padded(pl, i * sh - ph + a * dh, j * sw - pw + b * dw);
            if (v === undefined) continue;
            if (at < 0 || (!Number.isNaN(best) && (Number.isNaN(v) || v > best))) [best, at] = [v, (i * sh - ph + a * dh) * c.w + j * sw - pw + b * dw];
          }
        }
        max.push(best);
        idx.push(at);
        if (at >= 0) dxMax[pl * c.h * c.w + at]! += Math.fround(dy[max.length - 1]!);
      }
    }
  }
  const aoh = outSize(c.h, kh, sh, ph, 1);
  const aow = outSize(c.w, kw, sw, pw, 1);
  const avg: number[] = [];
  const dxAvg = new Array<number>(planes * c.h * c.w).fill(0);
  for (let pl = 0; pl < planes; pl++) {
    for (let i = 0; i < aoh; i++) {
      for (let j = 0; j < aow; j++) {
        const taps: number[] = [];
        for (let a = 0; a < kh; a++)
          for (let b = 0; b < kw; b++) if (padded(pl, i * sh - ph + a, j * sw - pw + b) !== undefined) taps.push((i * sh - ph + a) * c.w + j * sw - pw + b);
        const div = countIncludePad ? kh * kw : taps.length;
        avg.push(taps.reduce((s, t) => s + Math.fround(x[pl * c.h * c.w + t]!), 0) / div);
        for (const t of taps) dxAvg[pl * c.h * c.w + t]! += Math.fround(dy[avg.length - 1]!) / div;
      }
    }
  }
  return { max, idx, dxMax, avg, dxAvg, oh, ow, aoh, aow };
}

describe('pool', () => {
  it('maxPool2d / avgPool2d and their backward match the CPU twin on WebGPU and wasm, and the f64 definition (random shapes, kernel, stride, padding, dilation, views)', async () => {
    const devices = await allDevices();
    await fc.assert(
      fc.asyncProperty(
        caseArb.chain((c) => fc.tuple(fc.constant(c), valuesArb(c.n * c.c * c.h * c.w), valuesArb(c.n * c.c * 4 * c.h * c.w), fc.boolean())),
        async ([c, data, dyAll, countIncludePad]) => {
          const shape = [c.n, c.c, c.h, c.w];
          const maxOpts = { kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d };
          const avgOpts = { kernelSize: c.k, stride: c.s, padding: c.p, countIncludePad };
          const ref = reference(data, c, dyAll, countIncludePad);
          const results: { max: number[]; idx: number[]; dxMax: number[]; avg: number[]; dxAvg: number[] }[] = [];
          for (const d of devices) {
            const x = input(d, data, shape, c.transposed);
            const { values, indices } = maxPool2dWithIndices(x, maxOpts);
            expect(values.shape).toEqual([c.n, c.c, ref.oh, ref.ow]);
            expect(indices.dtype).toBe('i32');
            const dyMax = fromArray(dyAll.slice(0, values.size), values.shape, { device: d });
            const avg = avgPool2d(x, avgOpts);
            expect(avg.shape).toEqual([c.n, c.c, ref.aoh, ref.aow]);
            const dyAvg = fromArray(dyAll.slice(0, avg.size), avg.shape, { device: d });
            results.push({
              max: Array.from(await values.toArray()),
              idx: Array.from(await indices.toArray()),
              dxMax: Array.from(await maxPool2dBackward(dyMax, indices, shape, maxOpts).toArray()),
              avg: Array.from(await avg.toArray()),
              dxAvg: Array.from(await avgPool2dBackward(dyAvg, shape, avgOpts).toArray()),
            });
          }
          const [onCpu, onGpu, onWasm] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
          // The CPU twin against the definition: max and its index exactly; the sums in f64 against f32.
          expect(onCpu.max).toEqual(ref.max);
          expect(onCpu.idx).toEqual(ref.idx);
          // At most 16 terms of magnitude <= 1e3 summed in f32: 16 roundings of half an ULP of 1.6e4
          // (1e-3 each) bound the difference from the f64 sums.
          expectClose(onCpu.dxMax, ref.dxMax, { atol: 2e-2, rtol: 1e-6, label: 'dx max, cpu vs f64' });
          expectClose(onCpu.avg, ref.avg, { atol: 2e-2, rtol: 1e-6, label: 'avg, cpu vs f64' });
          expectClose(onCpu.dxAvg, ref.dxAvg, { atol: 2e-2, rtol: 1e-6, label: 'dx avg, cpu vs f64' });
          // Max pooling is exact everywhere, and its backward adds the same f32 values in the same
          // order: bit for bit. wasm's average is the same f32 adds and one IEEE division: bit for bit.
          for (const r of [onGpu, onWasm]) {
            expect(r.max).toEqual(onCpu.max);
            expect(r.idx).toEqual(onCpu.idx);
            expect(r.dxMax).toEqual(onCpu.dxMax);
          }
          expect(onWasm.avg).toEqual(onCpu.avg);
          expect(onWasm.dxAvg).toEqual(onCpu.dxAvg);
          // WGSL's f32 division is within 2.5 ULP: the forward divides once; the backward once per
          // share (<= 1e3: 2.5 ULP is 1.5e-4), at most 16 shares per element here, so 2.4e-3.
          expectClose(onGpu.avg, onCpu.avg, { atol: 1e-6, rtol: 1e-6, label: 'avg, webgpu vs cpu' });
          expectClose(onGpu.dxAvg, onCpu.dxAvg, { atol: 4e-3, rtol: 1e-6, label: 'dx avg, webgpu vs cpu' });
        },
      ),
      { numRuns: 40 },
    );
  });

  describe.each(NAMED_DEVICES)('on %s', (_name, getDevice) => {
    it('ties go to the first maximum, NaN propagates (the first NaN), padding never wins', async () => {
      const d = await getDevice();
      // One 3x4 plane: a 2x2 window at stride 1; ties of 5 and a NaN.
      const x = fromArray([5, 1, 5, 5, 0, 5, NaN, 2, -3, -4, NaN, -1], [1, 1, 3, 4], { device: d });
      const { values, indices } = maxPool2dWithIndices(x, { kernelSize: 2, stride: 1 });
      expect(Array.from(await values.toArray()).map(String)).toEqual(['5', 'NaN', 'NaN', '5', 'NaN', 'NaN']);
      expect(Array.from(await indices.toArray())).toEqual([0, 6, 6, 5, 6, 6]);
      // All-negative input with padding: -inf padding loses to every real value.
      const neg = fromArray([-5, -6, -7, -8], [1, 1, 2, 2], { device: d });
      const r = maxPool2dWithIndices(neg, { kernelSize: 3, stride: 1, padding: 1 });
      expect(Array.from(await r.values.toArray())).toEqual([-5, -5, -5, -5]);
      expect(Array.from(await r.indices.toArray())).toEqual([0, 0, 0, 0]);
      expect(
        Array.from(
          await maxPool2dBackward(fromArray([1, 2, 3, 4], [1, 1, 2, 2], { device: d }), r.indices, [1, 1, 2, 2], {
            kernelSize: 3,
            stride: 1,
            padding: 1,
          }).toArray(),
        ),
      ).toEqual([10, 0, 0, 0]);
      // A dilated window may see padding only: -inf and index -1, whose gradient goes nowhere.
      const dil = { kernelSize: 2, stride: 1, padding: 1, dilation: 3 };
      const e = maxPool2dWithIndices(fromArray([1, 2, 3, 4], [1, 1, 2, 2], { device: d }), dil);
      expect(Array.from(await e.values.toArray())).toEqual([-Infinity]);
      expect(Array.from(await e.indices.toArray())).toEqual([-1]);
      expect(Array.from(await maxPool2dBackward(fromArray([7], [1, 1, 1, 1], { device: d }), e.indices, [1, 1, 2, 2], dil).toArray())).toEqual([0, 0, 0, 0]);
      // The same along a row long enough for wasm's four-lane path: every window is padding only.
      const wide = maxPool2dWithIndices(fromArray(new Array(24).fill(1), [1, 1, 2, 12], { device: d }), {
        kernelSize: [2, 1],
        padding: [1, 0],
        dilation: [3, 1],
      });
      expect(Array.from(await wide.values.toArray())).toEqual(new Array(12).fill(-Infinity));
      expect(Array.from(await wide.indices.toArray())).toEqual(new Array(12).fill(-1));
      expect(Array.from(await maxPool2d(x, { kernelSize: [3, 4] }).toArray()).map(String)).toEqual(['NaN']);
    });

    it('avgPool2d counts the padding or not (countIncludePad), as PyTorch', async () => {
      const d = await getDevice();
      const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3], { device: d });
      const opts = { kernelSize: 2, stride: 2, padding: 1 };
      // Windows: [1] | [2, 3] ; [4, 7] | [5, 6, 8, 9]
      expect(Array.from(await avgPool2d(x, opts).toArray())).toEqual([0.25, 1.25, 2.75, 7]);
      expect(Array.from(await avgPool2d(x, { ...opts, countIncludePad: false }).toArray())).toEqual([1, 2.5, 5.5, 7]);
      const dx = avgPool2dBackward(fromArray([4, 8, 12, 16], [1, 1, 2, 2], { device: d }), [1, 1, 3, 3], { ...opts, countIncludePad: false });
      expect(Array.from(await dx.toArray())).toEqual([4, 4, 4, 6, 4, 4, 6, 4, 4]);
    });

    it('bad input is a SaddleError naming the op, the shapes, the dtype and what was expected', async () => {
      const d = await getDevice();
      const x = fromArray(new Array(2 * 3 * 4 * 4).fill(1), [2, 3, 4, 4], { device: d });
      expect(() => maxPool2d(fromArray([1, 2, 3, 4], [2, 2], { device: d }), { kernelSize: 2 })).toThrowError(
        /^maxPool2d: x has shape \[2, 2\] \(f32\); expected rank 4, \[N, C, H, W\]$/,
      );
      expect(() => avgPool2d(fromArray([1, 2, 3, 4], [1, 1, 2, 2], { device: d, dtype: 'i32' }), { kernelSize: 2 })).toThrowError(
        /^avgPool2d: x \[1, 1, 2, 2\] has dtype i32; expected f32 \(or f64 on the CPU\)$/,
      );
      expect(() => maxPool2d(x, { kernelSize: 2, padding: 2 })).toThrowError(
        /^maxPool2d: padding \[2, 2\] is more than half of kernelSize \[2, 2\]; expected padding <= kernelSize \/ 2$/,
      );
      expect(() => maxPool2d(x, { kernelSize: 5 })).toThrowError(
        /^maxPool2d: x has shape \[2, 3, 4, 4\]: a 5x5 window .* gives an output of 0x0; expected H and W large enough/,
      );
      expect(() => avgPool2d(x, { kernelSize: 0 })).toThrowError(/^avgPool2d: kernelSize is 0; expected a positive integer or a pair \[h, w\] of them$/);
      expect(() => avgPool2d(x, { kernelSize: [2, 2, 2] as unknown as [number, number] })).toThrowError(/avgPool2d: kernelSize is \[2,2,2\]/);
      expect(() => maxPool2d(x, { kernelSize: 2, stride: 1.5 })).toThrowError(/^maxPool2d: stride is 1.5; expected a positive integer/);
      expect(() => avgPool2d(x, { kernelSize: 2, dilation: 2 } as never)).toThrowError(
        /^avgPool2d: unknown option dilation; expected kernelSize, stride, padding, countIncludePad$/,
      );
      expect(() => maxPool2d(x, {} as never)).toThrowError(/^maxPool2d: kernelSize is missing/);
      const { values, indices } = maxPool2dWithIndices(x, { kernelSize: 2 });
      expect(() => maxPool2dBackward(values, indices, [2, 3, 6, 6], { kernelSize: 2 })).toThrowError(
        /^maxPool2dBackward: dy has shape \[2, 3, 2, 2\] \(f32\); expected \[2, 3, 3, 3\], the pooled output of \[2, 3, 6, 6\]$/,
      );
      expect(() => maxPool2dBackward(values, values, [2, 3, 4, 4], { kernelSize: 2 })).toThrowError(
        /^maxPool2dBackward: indices has shape \[2, 3, 2, 2\] \(f32\); expected i32 \[2, 3, 2, 2\]/,
      );
      expect(() => avgPool2dBackward(values, [2, 3, 4], { kernelSize: 2 })).toThrowError(
        /^avgPool2dBackward: inputShape has shape \[2, 3, 4\] \(f32\); expected rank 4/,
      );
      if (d !== cpu)
        expect(() => maxPool2dBackward(values, fromArray([0], [1, 1, 1, 1], { dtype: 'i32', device: cpu }), [2, 3, 4, 4], { kernelSize: 2 })).toThrowError(
          /maxPool2dBackward: inputs are on different devices/,
        );
      x.dispose();
      expect(() => avgPool2d(x, { kernelSize: 2 })).toThrowError(/avgPool2d: tensor #\d+ \[2, 3, 4, 4\] was disposed/);
    });
  });

  it('1 and 2 wasm threads agree bit for bit, on rows long enough for the f32x4 path and its tails', async () => {
    const shape = [3, 5, 11, 37];
    const data = Array.from({ length: 3 * 5 * 11 * 37 }, (_, i) => Math.round(Math.sin(i * 0.37) * 8) / 2);
    for (const [kernelSize, stride, padding] of [
      [3, 1, 1],
      [2, 2, 0],
      [3, 2, 1],
      [
        [2, 5],
        [1, 3],
        [1, 2],
      ],
    ] as const) {
      const results = [];
      for (const d of [cpu, await wasm(1), await wasm(2)]) {
        const x = input(d, data, shape, false);
        const { values, indices } = maxPool2dWithIndices(x, { kernelSize, stride, padding, dilation: [1, 2] });
        const avg = avgPool2d(x, { kernelSize, stride, padding, countIncludePad: false });
        const dxMax = maxPool2dBackward(values, indices, shape, { kernelSize, stride, padding, dilation: [1, 2] });
        const dxAvg = avgPool2dBackward(avg, shape, { kernelSize, stride, padding, countIncludePad: false });
        results.push([await values.toArray(), await indices.toArray(), await avg.toArray(), await dxMax.toArray(), await dxAvg.toArray()]);
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    }
  });

  it('f64 on the CPU, and empty batches on every device', async () => {
    const x = input(cpu, [1, 1 + 1e-12, 3, 3 + 1e-12], [1, 1, 2, 2], false, 'f64');
    const { values, indices } = maxPool2dWithIndices(x, { kernelSize: 2 });
    expect(values.dtype).toBe('f64');
    expect(Array.from(await values.toArray())).toEqual([3 + 1e-12]);
    expect(Array.from(await indices.toArray())).toEqual([3]);
    expect(Array.from(await avgPool2d(x, { kernelSize: 2 }).toArray())).toEqual([(1 + 1 + 1e-12 + 3 + 3 + 1e-12) / 4]);
    for (const d of [cpu, await webgpu(), await wasm()]) {
      const e = fromArray([], [0, 3, 4, 4], { device: d });
      const r = maxPool2dWithIndices(e, { kernelSize: 2 });
      expect(r.values.shape).toEqual([0, 3, 2, 2]);
      expect(maxPool2dBackward(r.values, r.indices, [0, 3, 4, 4], { kernelSize: 2 }).shape).toEqual([0, 3, 4, 4]);
      expect(avgPool2dBackward(avgPool2d(e, { kernelSize: 2 }), [0, 3, 4, 4], { kernelSize: 2 }).shape).toEqual([0, 3, 4, 4]);
    }
  });
});
