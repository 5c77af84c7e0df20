import { describe, it } from 'vitest';
import { broadcastTo, concat, expandDims, mul, reshape, slice, squeeze, transpose } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

describe.each(NAMED_DEVICES)('shape-op gradients on %s', (_name, getDevice) => {
  it('reshape (with -1, and of a transposed view, which copies)', async () => {
    const device = await getDevice();
    await check((x) => reshape(x, [3, -1]), [data([2, 3, 2], 1)], device);
    await check((x) => reshape(transpose(x), [6]), [data([2, 3], 2)], device);
    await check((x) => reshape(x, []), [data([1, 1], 3)], device);
  });

  it('transpose (default and explicit permutations)', async () => {
    const device = await getDevice();
    await check((x) => transpose(x), [data([2, 3], 4)], device);
    await check((x) => transpose(x, [1, 2, 0]), [data([2, 3, 4], 5)], device);
    await check((x) => transpose(x, [-1, 0, 1]), [data([2, 3, 4], 6)], device);
  });

  it('slice (inner blocks, size -1, empty-free odd blocks)', async () => {
    const device = await getDevice();
    await check((x) => slice(x, [1, 0], [2, 3]), [data([4, 3], 7)], device);
    await check((x) => slice(x, [0, 1, 2], [-1, 2, 1]), [data([2, 3, 4], 8)], device);
    await check((x) => slice(slice(x, [1], [4]), [2], [1]), [data([6], 9)], device);
  });

  it('concat (along every axis, three inputs of different sizes, one used twice)', async () => {
    const device = await getDevice();
    await check((a, b, c) => concat([a, b, c], 0), [data([1, 3], 10), data([2, 3], 11), data([3, 3], 12)], device);
    await check((a, b) => concat([a, b], 1), [data([2, 1, 2], 13), data([2, 3, 2], 14)], device);
    await check((a, b) => concat([a, b, a], -1), [data([2, 2], 15), data([2, 3], 16)], device);
  });

  it('broadcastTo, expandDims, squeeze', async () => {
    const device = await getDevice();
    await check((x) => broadcastTo(x, [2, 3, 4]), [data([3, 1], 17)], device);
    await check((x) => broadcastTo(x, [5, 2]), [data([2], 18)], device);
    await check((x) => expandDims(x, 1), [data([2, 3], 19)], device);
    await check((x) => expandDims(x, -1), [data([3], 20)], device);
    await check((x) => squeeze(x), [data([1, 3, 1, 2], 21)], device);
    await check((x) => squeeze(x, 0), [data([1, 3], 22)], device);
  });

  it('a chain of views, then arithmetic', async () => {
    const device = await getDevice();
    await check((x, y) => mul(transpose(reshape(x, [3, 4]), [1, 0]), broadcastTo(y, [4, 3])), [data([12], 23), data([3], 24)], device);
  });
});

describe.each(NAMED_DEVICES)('slice with negative begins and steps: gradients on %s', (_name, getDevice) => {
  it('scatter back to the picked elements', async () => {
    const device = await getDevice();
    await check((x) => slice(x, [-3, 0], [-1, 5], [2, 2]), [data([5, 6], 21)], device);
    await check((x) => slice(x, [1, -4, 0], [2, 4, -1], [1, 3, 2]), [data([3, 5, 3], 22)], device);
  });
});
