import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device, type Tensor } from '@saddle/tensor';
import { maxout, maxoutBackward } from '@saddle/ops';
import { allDevices, kernelDevices, wasm, webgpu } from '../support/devices.js';

/** Values from a small set (many ties) or spread wide, including +-1e4. */
const valuesArb = (n: number) =>
  fc.oneof(
    fc.array(fc.constantFrom(-1, 0, 1, 2), { minLength: n, maxLength: n }),
    // Subnormals become 0: a GPU may flush them, which is not what this test is about.
    fc.array(
      fc.float({ min: -1e4, max: 1e4, noNaN: true }).map((v) => (Math.abs(v) < 1e-30 ? 0 : v)),
      { minLength: n, maxLength: n },
    ),
  );

const caseArb = fc
  .record({ rows: fc.integer({ min: 1, max: 9 }), units: fc.integer({ min: 1, max: 7 }), pieces: fc.integer({ min: 1, max: 6 }), transposed: fc.boolean() })
  .chain((c) => fc.tuple(fc.constant(c), valuesArb(c.rows * c.units * c.pieces), valuesArb(c.rows * c.units)));

/** x as [rows, cols], either dense or a transposed view of a dense [cols, rows] tensor. */
function input(device: Device, data: number[], rows: number, cols: number, transposed: boolean): Tensor {
  if (!transposed) return fromArray(data, [rows, cols], { device });
  const t = new Array<number>(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = data[r * cols + c]!;
  const base = fromArray(t, [cols, rows], { device });
  const v = base.view([rows, cols], [1, rows], 0);
  base.dispose();
  return v;
}

describe('maxout', () => {
  it('forward and backward match the CPU twin on WebGPU and wasm (pieces 1..6, ties, transposed inputs)', async () => {
    const devices = await allDevices();
    await fc.assert(
      fc.asyncProperty(caseArb, async ([{ rows, units, pieces, transposed }, data, dyData]) => {
        const cols = units * pieces;
        const results: { out: number[]; arg: number[]; dx: number[] }[] = [];
        for (const d of devices) {
          const x = input(d, data, rows, cols, transposed);
          const { out, argmax } = maxout(x, pieces);
          expect(out.shape).toEqual([rows, units]);
          expect(argmax.shape).toEqual([rows, units]);
          expect(argmax.dtype).toBe('i32');
          const dy = input(d, dyData, rows, units, transposed);
          const dx = maxoutBackward(dy, argmax, pieces);
          expect(dx.shape).toEqual([rows, cols]);
          results.push({ out: Array.from(await out.toArray()), arg: Array.from(await argmax.toArray()), dx: Array.from(await dx.toArray()) });
        }
        for (const r of results.slice(1)) expect(r).toEqual(results[0]);
        // And against the definition: out is the max of the unit, argmax its first position.
        const { out, arg, dx } = results[0]!;
        for (let b = 0; b < rows; b++) {
          for (let u = 0; u < units; u++) {
            const piecesOf = data.slice(b * cols + u * pieces, b * cols + (u + 1) * pieces).map(Math.fround);
            const first = piecesOf.indexOf(Math.max(...piecesOf)); // === treats -0 and 0 as a tie
            expect(arg[b * units + u]).toBe(first);
            expect(out[b * units + u]).toBe(piecesOf[first]);
            for (let k = 0; k < pieces; k++) {
              expect(dx[b * cols + u * pieces + k]).toBe(k === first ? Math.fround(dyData[b * units + u]!) : 0);
            }
          }
        }
      }),
      { numRuns: 20 },
    );
  });

  it('backward with x shares dy evenly among tied pieces, the same on both devices (the rule autograd uses)', async () => {
    const gpu = await webgpu();
    await fc.assert(
      fc.asyncProperty(caseArb, async ([{ rows, units, pieces, transposed }, data, dyData]) => {
        const cols = units * pieces;
        const results: number[][] = [];
        for (const d of [cpu, gpu]) {
          const x = input(d, data, rows, cols, transposed);
          const { argmax } = maxout(x, pieces);
          results.push(Array.from(await maxoutBackward(input(d, dyData, rows, units, transposed), argmax, pieces, undefined, x).toArray()));
        }
        expect(results[1]).toEqual(results[0]);
        for (let b = 0; b < rows; b++) {
          for (let u = 0; u < units; u++) {
            const piecesOf = data.slice(b * cols + u * pieces, b * cols + (u + 1) * pieces).map(Math.fround);
            const best = Math.max(...piecesOf);
            const ties = piecesOf.filter((v) => v === best).length;
            for (let k = 0; k < pieces; k++) {
              const share = ties === 1 ? Math.fround(dyData[b * units + u]!) : Math.fround(Math.fround(dyData[b * units + u]!) / ties);
              expect(results[0]![b * cols + u * pieces + k]).toBe(piecesOf[k] === best ? share : 0);
            }
          }
        }
      }),
      { numRuns: 20 },
    );
  });

  it('a larger batch, and NaN handling', async () => {
    const rows = 4100;
    const units = 20;
    const pieces = 5;
    const data = Array.from({ length: rows * units * pieces }, (_, i) => Math.sin(i * 0.37) * 1e4);
    data[7] = NaN; // row 0, unit 1, piece 2: NaN wins
    data[8] = NaN;
    const res: unknown[][] = [];
    for (const d of await allDevices()) {
      const { out, argmax } = maxout(fromArray(data, [rows, units * pieces], { device: d }), pieces);
      const o = Array.from(await out.toArray());
      const a = Array.from(await argmax.toArray());
      expect(o[1]).toBeNaN();
      expect(a[1]).toBe(2);
      res.push(o.map(String), a);
    }
    for (let k = 2; k < res.length; k += 2) {
      expect(res[k]).toEqual(res[0]);
      expect(res[k + 1]).toEqual(res[1]);
    }
  });

  it('1 and 2 wasm threads agree bit for bit (forward, backward, views)', async () => {
    const rows = 333;
    const units = 37;
    const pieces = 5;
    const data = Array.from({ length: rows * units * pieces }, (_, i) => Math.round(Math.sin(i * 0.91) * 4) / 2);
    const dyData = Array.from({ length: rows * units }, (_, i) => Math.cos(i));
    const results = [];
    for (const d of [cpu, await wasm(1), await wasm(2)]) {
      const x = input(d, data, rows, units * pieces, true);
      const { out, argmax } = maxout(x, pieces);
      const dx = maxoutBackward(input(d, dyData, rows, units, true), argmax, pieces);
      results.push([await out.toArray(), await argmax.toArray(), await dx.toArray()]);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('f64 on the CPU', async () => {
    const x = fromArray([1, 1 + 1e-12, 3, 3, -2, -2 - 1e-12], [2, 3], { device: cpu, dtype: 'f64' });
    const { out, argmax } = maxout(x, 3);
    expect(out.dtype).toBe('f64');
    expect(Array.from(await out.toArray())).toEqual([3, 3]);
    const { out: o2, argmax: a2 } = maxout(x.view([2, 3], [3, 1], 0), 1);
    expect(Array.from(await o2.toArray())).toEqual([1, 1 + 1e-12, 3, 3, -2, -2 - 1e-12]);
    expect(Array.from(await a2.toArray())).toEqual([0, 0, 0, 0, 0, 0]);
    const x2 = fromArray([1, 1 + 1e-12, -2, -2 - 1e-12], [2, 2], { device: cpu, dtype: 'f64' });
    const r = maxout(x2, 2);
    expect(Array.from(await r.argmax.toArray())).toEqual([1, 0]);
    const dx = maxoutBackward(fromArray([0.5, 0.25], [2, 1], { device: cpu, dtype: 'f64' }), r.argmax, 2);
    expect(dx.dtype).toBe('f64');
    expect(Array.from(await dx.toArray())).toEqual([0, 0.5, 0.25, 0]);
    expect(Array.from(await argmax.toArray())).toEqual([2, 0]);
  });

  it('empty batches', async () => {
    for (const gpu of await kernelDevices()) {
      const { out, argmax } = maxout(fromArray([], [0, 6], { device: gpu }), 3);
      expect(out.shape).toEqual([0, 2]);
      expect(maxoutBackward(out, argmax, 3).shape).toEqual([0, 6]);
    }
  });

  it('clear errors', async () => {
    for (const gpu of await kernelDevices()) {
      const x = fromArray(new Array(12).fill(0), [2, 6], { device: gpu });
      expect(() => maxout(x, 4)).toThrowError(
        /maxout: x has shape \[2, 6\]: 6 columns do not split into units of 4 pieces; expected a column count divisible by 4/,
      );
      expect(() => maxout(x, 0)).toThrowError(/maxout: pieces is 0; expected a positive integer/);
      expect(() => maxout(x, 1.5)).toThrowError(/maxout: pieces is 1.5/);
      expect(() => maxout(fromArray([1, 2], [2], { device: gpu }), 2)).toThrowError(/maxout: x has shape \[2\]; expected rank 2/);
      expect(() => maxout(fromArray([1, 2], [1, 2], { device: gpu, dtype: 'i32' }), 2)).toThrowError(/maxout: x has dtype i32; expected f32/);
      const { out, argmax } = maxout(x, 3);
      expect(() => maxoutBackward(fromArray([1, 2, 3], [1, 3], { device: gpu }), argmax, 3)).toThrowError(
        /maxoutBackward: dy has shape \[1, 3\] but argmax has shape \[2, 2\]; expected equal shapes/,
      );
      expect(() => maxoutBackward(out, out, 3)).toThrowError(/maxoutBackward: argmax has dtype f32; expected i32/);
      expect(() => maxoutBackward(fromArray([1, 2, 3, 4], [2, 2], { device: cpu }), argmax, 3)).toThrowError(/maxoutBackward: inputs are on different devices/);
      expect(() => maxoutBackward(out, argmax, -1)).toThrowError(/maxoutBackward: pieces is -1/);
      x.dispose();
      expect(() => maxout(x, 3)).toThrowError(/maxout: tensor #\d+ \[2, 6\] was disposed/);
    }
  });
});
