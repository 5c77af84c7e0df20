import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { SaddleError, Tensor, formatValues, fromArray, tensor } from '@saddle/tensor';
import { NAMED_DEVICES, webgpu } from '../support/devices.js';

/** The nested-array part of `format()`'s text, parsed back (`1.` is how an integer float prints). */
function parseBody(text: string): unknown {
  const body = text.slice('tensor('.length, text.indexOf(', shape='));
  return JSON.parse(body.replace(/(\d)\.(?=[,\]\s]|$)/g, '$1'));
}

const flatten = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flatten) : [x as number]);

const smallShape = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });

describe.each(NAMED_DEVICES)('printing a tensor on %s', (name, getDevice) => {
  it('format() shows every value of a small tensor, within its printed precision', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(
        smallShape.chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), {
              minLength: shape.reduce((a, b) => a * b, 1),
              maxLength: shape.reduce((a, b) => a * b, 1),
            }),
          ),
        ),
        fc.boolean(),
        async ([shape, values], integers) => {
          const data = integers ? values.map(Math.round) : values;
          const t = fromArray(data, shape, { device });
          const text = await t.format();
          expect(text).toContain(`shape=[${shape.join(', ')}], dtype=f32, device=${device.name})`);
          const nested = await t.toNested();
          const printed = flatten(parseBody(text));
          const actual = flatten(nested);
          expect(printed).toHaveLength(actual.length);
          // Fixed notation keeps 4 decimals; scientific keeps 5 significant digits.
          printed.forEach((p, i) => expect(Math.abs(p - actual[i]!)).toBeLessThanOrEqual(5e-5 + 1e-4 * Math.abs(actual[i]!)));
          if (integers) expect(printed).toEqual(actual.map((v) => v + 0)); // -0 prints as 0.
          t.dispose();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('summarizes with ... beyond the threshold, keeping the first and last 3 of each long dimension', async () => {
    const device = await getDevice();
    const t = fromArray(
      Array.from({ length: 40 * 50 }, (_, i) => i),
      [40, 50],
      { device },
    );
    const text = await t.format();
    const rows = text.split('\n');
    expect(rows).toHaveLength(7); // 3 rows, '...', 3 rows
    expect(rows[3]!.trim()).toBe('...,');
    expect(rows[0]).toBe('tensor([[   0.,    1.,    2., ...,   47.,   48.,   49.],');
    expect(rows[6]).toBe('        [1950., 1951., 1952., ..., 1997., 1998., 1999.]], shape=[40, 50], dtype=f32, device=' + device.name + ')');
    expect(await t.format({ threshold: 10_000 })).not.toContain('...');
    t.dispose();
  });

  it('print() writes format() with console.log', async () => {
    const device = await getDevice();
    const t = tensor(
      [
        [1.5, -2],
        [3, 4],
      ],
      { device },
    );
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await t.print();
      expect(log).toHaveBeenCalledWith(await t.format());
    } finally {
      log.mockRestore();
    }
    expect(await t.format()).toBe(`tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.0000]], shape=[2, 2], dtype=f32, device=${device.name})`);
    t.dispose();
  });

  if (name === 'webgpu') {
    it('dataSync and arraySync refuse, naming the device and the async way', async () => {
      const t = tensor([1, 2, 3], { device: await getDevice() });
      for (const read of [() => t.dataSync(), () => t.arraySync()]) {
        expect(read).toThrow(SaddleError);
        expect(read).toThrow(/cannot be read synchronously; expected a cpu or wasm tensor \(on webgpu: await t\.toArray\(\)/);
      }
      // util.inspect and String show what is known without waiting: no values.
      for (const text of [inspect(t), String(t)]) {
        expect(text).toMatch(/^Tensor\(#\d+, shape=\[3\], dtype=f32, device=webgpu.*values on the device: await t\.print\(\)\)$/);
      }
      t.dispose();
    });
  } else {
    it('dataSync and arraySync read what toArray and toNested read, views included', async () => {
      const device = await getDevice();
      const t = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device });
      const transposed = t.view([3, 2], [1, 3], 0);
      const row = t.view([3], [1], 3);
      for (const x of [t, transposed, row]) {
        expect(Array.from(x.dataSync())).toEqual(Array.from(await x.toArray()));
        expect(x.arraySync()).toEqual(await x.toNested());
      }
      expect(transposed.arraySync()).toEqual([
        [1, 4],
        [2, 5],
        [3, 6],
      ]);
      // util.inspect and String show the values, as format() does.
      expect(inspect(transposed)).toBe(await transposed.format());
      expect(String(row)).toBe(`tensor([4., 5., 6.], shape=[3], dtype=f32, device=${device.name})`);
      for (const x of [row, transposed, t]) x.dispose();
      expect(() => t.dataSync()).toThrow(/dataSync: tensor #\d+ \[2, 3\] was disposed/);
      expect(String(t)).toMatch(/^Tensor\(#\d+, shape=\[2, 3\], dtype=f32, device=.*, disposed\)$/);
    });
  }
});

describe('formatValues', () => {
  const ctx = (shape: number[], dtype: 'f32' | 'i32' = 'f32') => ({ shape, dtype, device: 'cpu' });
  it('prints integers as integers, spans over 1000x in scientific notation, and non-finite values by name', () => {
    expect(formatValues([3, -1], ctx([2], 'i32'))).toBe('tensor([ 3, -1], shape=[2], dtype=i32, device=cpu)');
    expect(formatValues([1e-5, 1], ctx([2]))).toBe('tensor([1.0000e-5, 1.0000e+0], shape=[2], dtype=f32, device=cpu)');
    expect(formatValues([NaN, Infinity, -Infinity, 0.5], ctx([4]))).toBe('tensor([   nan,    inf,   -inf, 0.5000], shape=[4], dtype=f32, device=cpu)');
    expect(formatValues([2.5], ctx([]))).toBe('tensor(2.5000, shape=[], dtype=f32, device=cpu)');
    expect(formatValues([], ctx([0, 3]))).toBe('tensor([], shape=[0, 3], dtype=f32, device=cpu)');
  });

  it('separates the blocks of a 3-D tensor by a blank line, aligned under the first bracket', () => {
    const text = formatValues([1, 2, 3, 4, 5, 6, 7, 8], ctx([2, 2, 2]));
    expect(text).toBe('tensor([[[1., 2.],\n         [3., 4.]],\n\n        [[5., 6.],\n         [7., 8.]]], shape=[2, 2, 2], dtype=f32, device=cpu)');
  });

  it('is what Tensor.format prints', async () => {
    const t = tensor([[1, 2]]);
    expect(await t.format()).toBe(formatValues([1, 2], ctx([1, 2])));
    expect(t).toBeInstanceOf(Tensor);
    t.dispose();
  });
});

it('webgpu tensors print their values once read back', async () => {
  const t = tensor([0.25, 8], { device: await webgpu() });
  expect(await t.format()).toMatch(/^tensor\(\[0\.2500, 8\.0000\], shape=\[2\], dtype=f32, device=webgpu/);
  t.dispose();
});
