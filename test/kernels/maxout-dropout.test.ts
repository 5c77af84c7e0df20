import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device, type Tensor, type TypedArray } from '@saddle/tensor';
import { Generator, dropout, maxout, maxoutBackward, maxoutDropout, mul } from '@saddle/ops';
import { allDevices, kernelDevices, wasm } from '../support/devices.js';

/** The exact bits of a float array (NaN payloads and -0 included). */
function bits(a: TypedArray): number[] {
  return a instanceof Float64Array
    ? Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), Number)
    : Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

/** Values from a small set (ties), spread wide, or extreme (NaN, +-inf, +-3e38); no subnormals. */
const valuesArb = (n: number) =>
  fc.oneof(
    fc.array(fc.constantFrom(-1, 0, 1, 2), { minLength: n, maxLength: n }),
    fc.array(
      fc.float({ min: -1e4, max: 1e4, noNaN: true }).map((v) => (Math.abs(v) < 1e-30 ? 0 : v)),
      { minLength: n, maxLength: n },
    ),
    fc.array(
      fc.oneof(
        fc.constantFrom(NaN, Infinity, -Infinity, 3e38, -3e38, -0),
        fc.float({ min: -10, max: 10, noNaN: true }).map((v) => (Math.abs(v) < 1e-30 ? 0 : v)),
      ),
      {
        minLength: n,
        maxLength: n,
      },
    ),
  );

const keepArb = fc.oneof(fc.constantFrom(0.5, 0.8, 0.2, 1e-6, 1 - 2 ** -24), fc.double({ min: 1e-3, max: 1, noNaN: true, maxExcluded: true }));

const caseArb = fc
  .record({
    rows: fc.integer({ min: 1, max: 9 }),
    units: fc.integer({ min: 1, max: 9 }),
    pieces: fc.integer({ min: 1, max: 6 }),
    transposed: fc.boolean(),
    keep: keepArb,
    seed: fc.integer({ min: 0, max: 2 ** 40 }),
  })
  .chain((c) => fc.tuple(fc.constant(c), valuesArb(c.rows * c.units * c.pieces), valuesArb(c.rows * c.units)));

/** [rows, cols] from row-major data: dense, or a transposed view of a dense [cols, rows] tensor. */
function input(device: Device, data: number[], rows: number, cols: number, transposed: boolean, dtype: 'f32' | 'f64' = 'f32'): Tensor {
  if (!transposed) return fromArray(data, [rows, cols], { device, dtype });
  const t = new Array<number>(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = data[r * cols + c]!;
  const base = fromArray(t, [cols, rows], { device, dtype });
  const v = base.view([rows, cols], [1, rows], 0);
  base.dispose();
  return v;
}

describe('maxoutDropout', () => {
  it('equals dropout(maxout(x)) bit for bit with the same seed, on every device, and the devices agree', async () => {
    const devices = await allDevices();
    await fc.assert(
      fc.asyncProperty(caseArb, async ([{ rows, units, pieces, transposed, keep, seed }, data, dyData]) => {
        const cols = units * pieces;
        const perDevice: number[][][] = [];
        for (const d of devices) {
          const x = input(d, data, rows, cols, transposed);
          const fused = maxoutDropout(x, pieces, keep, { seed });
          expect(fused.out.shape).toEqual([rows, units]);
          expect(fused.argmax.dtype).toBe('i32');
          expect(fused.mask.shape).toEqual([rows, units]);
          const m = maxout(x, pieces);
          const ref = dropout(m.out, keep, { seed });
          const got = { out: await fused.out.toArray(), arg: await fused.argmax.toArray(), mask: await fused.mask.toArray() };
          expect(bits(got.out), 'out').toEqual(bits(await ref.out.toArray()));
          expect(bits(got.mask), 'mask').toEqual(bits(await ref.mask.toArray()));
          expect(Array.from(got.arg), 'argmax').toEqual(Array.from(await m.argmax.toArray()));
          // The backward: dy * mask scattered to the argmax in one kernel = mul, then maxoutBackward.
          const dy = input(d, dyData, rows, units, transposed);
          const dx = maxoutBackward(dy, fused.argmax, pieces, fused.mask);
          expect(dx.shape).toEqual([rows, cols]);
          const dxRef = maxoutBackward(mul(dy, fused.mask), fused.argmax, pieces);
          const dxv = await dx.toArray();
          expect(bits(dxv), 'dx').toEqual(bits(await dxRef.toArray()));
          perDevice.push([Array.from(got.out), Array.from(got.arg), Array.from(got.mask), Array.from(dxv)]);
        }
        // CPU, WebGPU and wasm: the same values (NaN as NaN, -0 as -0).
        for (const r of perDevice.slice(1)) expect(r).toEqual(perDevice[0]);
      }),
      { numRuns: 20 },
    );
  });

  it('matches the definition: out = max * (1/keep) where kept, 0 elsewhere; mask 0 or 1/keep', async () => {
    const rows = 7;
    const units = 13;
    const pieces = 3;
    const data = Array.from({ length: rows * units * pieces }, (_, i) => Math.fround(Math.cos(i * 1.3) * 50));
    for (const d of await allDevices()) {
      const { out, argmax, mask } = maxoutDropout(fromArray(data, [rows, units * pieces], { device: d }), pieces, 0.5, { seed: 3 });
      const o = await out.toArray();
      const a = await argmax.toArray();
      const m = await mask.toArray();
      let dropped = 0;
      for (let i = 0; i < rows * units; i++) {
        const ps = data.slice(i * pieces, (i + 1) * pieces);
        const best = Math.max(...ps);
        expect(a[i]).toBe(ps.indexOf(best));
        expect(m[i] === 0 || m[i] === 2).toBe(true);
        expect(o[i]).toBe(m[i] === 0 ? 0 : Math.fround(best * 2));
        if (m[i] === 0) dropped++;
      }
      expect(dropped).toBeGreaterThan(0);
      expect(dropped).toBeLessThan(rows * units);
    }
  });

  it('draws from a generator exactly as dropout of the output shape does (same masks, same offsets)', async () => {
    for (const d of await allDevices()) {
      const x = fromArray(
        Array.from({ length: 5 * 21 }, (_, i) => Math.sin(i)),
        [5, 21],
        { device: d },
      );
      const g1 = new Generator(42);
      const g2 = new Generator(42);
      const masks: number[][] = [];
      for (let step = 0; step < 3; step++) {
        const a = maxoutDropout(x, 3, 0.5, { generator: g1 });
        const b = dropout(maxout(x, 3).out, 0.5, { generator: g2 });
        expect(g1.offset).toBe(g2.offset);
        expect(bits(await a.out.toArray())).toEqual(bits(await b.out.toArray()));
        masks.push(Array.from(await a.mask.toArray()));
      }
      expect(g1.offset).toBe(3 * Math.ceil((5 * 7) / 4));
      // Successive draws are fresh.
      expect(masks[1]).not.toEqual(masks[0]);
      expect(masks[2]).not.toEqual(masks[1]);
    }
  });

  it('keep = 1: maxout and a mask of ones, and no numbers drawn', async () => {
    for (const d of await allDevices()) {
      const x = fromArray([1, 5, -2, 3, 4, 4], [2, 3], { device: d });
      const g = new Generator(1);
      const r = maxoutDropout(x, 3, 1, { generator: g });
      expect(Array.from(await r.out.toArray())).toEqual([5, 4]);
      expect(Array.from(await r.argmax.toArray())).toEqual([1, 1]);
      expect(Array.from(await r.mask.toArray())).toEqual([1, 1]);
      expect(g.offset).toBe(0);
    }
  });

  it('in f64 on the CPU, equals dropout(maxout(x)) exactly', async () => {
    const data = Array.from({ length: 6 * 20 }, (_, i) => Math.sin(i * 0.7) * 1e3 + 1e-9 * i);
    const x = fromArray(data, [6, 20], { device: cpu, dtype: 'f64' });
    const a = maxoutDropout(x, 4, 0.3, { seed: 11 });
    const b = dropout(maxout(x, 4).out, 0.3, { seed: 11 });
    expect(a.out.dtype).toBe('f64');
    expect(a.mask.dtype).toBe('f64');
    expect(bits(await a.out.toArray())).toEqual(bits(await b.out.toArray()));
    expect(bits(await a.mask.toArray())).toEqual(bits(await b.mask.toArray()));
    const dy = fromArray(
      Array.from({ length: 30 }, (_, i) => i / 7),
      [6, 5],
      { device: cpu, dtype: 'f64' },
    );
    expect(bits(await maxoutBackward(dy, a.argmax, 4, a.mask).toArray())).toEqual(bits(await maxoutBackward(mul(dy, a.mask), a.argmax, 4).toArray()));
  });

  it('a batch past one workgroup row: 4099 x 60 units x 5 pieces; the kept fraction is keep; 1 and 2 wasm threads agree', async () => {
    const rows = 4099;
    const units = 60;
    const pieces = 5;
    const data = new Float32Array(rows * units * pieces);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 100;
    const res: { out: number[]; mask: number[] }[] = [];
    for (const d of [...(await allDevices()), await wasm(1)]) {
      const { out, mask } = maxoutDropout(fromArray(data, [rows, units * pieces], { device: d }), pieces, 0.8, { seed: 2 ** 33 + 5 });
      res.push({ out: bits(await out.toArray()), mask: bits(await mask.toArray()) });
    }
    for (const r of res.slice(1)) {
      expect(r.out).toEqual(res[0]!.out);
      expect(r.mask).toEqual(res[0]!.mask);
    }
    const n = rows * units;
    const kept = res[0]!.mask.filter((v) => v !== 0).length;
    expect(Math.abs(kept / n - 0.8)).toBeLessThan(5 * Math.sqrt((0.8 * 0.2) / n));
  });

  it('rejects bad inputs with the op named', async () => {
    for (const gpu of await kernelDevices()) {
      const x = fromArray(new Float32Array(12), [2, 6], { device: gpu });
      expect(() => maxoutDropout(x, 4, 0.5)).toThrow(/maxoutDropout.*\[2, 6\].*divisible by 4/);
      expect(() => maxoutDropout(x, 3, 0)).toThrow(/maxoutDropout.*keep probability 0/);
      expect(() => maxoutDropout(x, 3, 1.5)).toThrow(SaddleError);
      expect(() => maxoutDropout(x, 0, 0.5)).toThrow(/pieces is 0/);
      expect(() => maxoutDropout(x, 3, 0.5, { seed: 1, generator: new Generator(1) })).toThrow(/both `seed` and `generator`/);
      expect(() => maxoutDropout(fromArray([1, 2], [2], { device: gpu }), 1, 0.5)).toThrow(/expected rank 2/);
      const { argmax, mask } = maxoutDropout(x, 3, 0.5, { seed: 1 });
      const dy = fromArray(new Float32Array(4), [2, 2], { device: gpu });
      expect(() => maxoutBackward(dy, argmax, 3, fromArray(new Float32Array(2), [1, 2], { device: gpu }))).toThrow(/maxoutBackward.*mask has shape \[1, 2\]/);
      expect(() => maxoutBackward(dy, argmax, 3, fromArray([1, 2, 3, 4], [2, 2], { device: gpu, dtype: 'i32' }))).toThrow(/mask has dtype i32/);
      expect(() => maxoutBackward(dy, argmax, 3, fromArray([1, 2, 3, 4], [2, 2], { device: cpu }))).toThrow(/different devices/);
      expect(mask.shape).toEqual([2, 2]);
    }
  });
});
