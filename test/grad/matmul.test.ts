import { describe, it } from 'vitest';
import fc from 'fast-check';
import { cpu, matmul, type Device } from '@saddle/autograd';
import { wasm, webgpu } from '../support/devices.js';
import { check, data } from './support.js';

const devices: [string, () => Promise<Device>][] = [
  ['cpu', async () => cpu],
  ['webgpu', webgpu],
  // f32 on every core: the same f32 tolerances as WebGPU (gradcheck compares with float64 differences).
  ['wasm', () => wasm()],
];

const activations = ['none', 'relu', 'sigmoid'] as const;

describe.each(devices)('matmul gradients on %s', (_name, getDevice) => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const activation of activations) {
        it(`transA ${transA}, transB ${transB}, activation ${activation}, with and without bias`, async () => {
          const device = await getDevice();
          await fc.assert(
            fc.asyncProperty(
              fc.integer({ min: 1, max: 6 }),
              fc.integer({ min: 1, max: 7 }),
              fc.integer({ min: 1, max: 5 }),
              fc.boolean(),
              fc.integer({ min: 1, max: 1e6 }),
              async (m, k, n, withBias, seed) => {
                const a = data(transA ? [k, m] : [m, k], seed);
                const b = data(transB ? [n, k] : [k, n], seed + 1);
                const bias = data([n], seed + 2);
                const label = `[${m}x${k}]·[${k}x${n}] transA ${transA} transB ${transB} ${activation} bias ${withBias} seed ${seed}`;
                // relu: the pre-activations must stay away from 0 by more than eps; random data does.
                if (withBias) {
                  await check((x, y, c) => matmul(x, y, { transA, transB, activation, bias: c }), [a, b, bias], device, { label });
                } else {
                  await check((x, y) => matmul(x, y, { transA, transB, activation }), [a, b], device, { label });
                }
              },
            ),
            { numRuns: 3 },
          );
        });
      }
    }
  }

  it('odd and skinny shapes: 1x1, a row times a column, a column times a row', async () => {
    const device = await getDevice();
    await check((x, y) => matmul(x, y), [data([1, 1], 1), data([1, 1], 2)], device);
    await check((x, y) => matmul(x, y), [data([1, 9], 3), data([9, 1], 4)], device);
    await check((x, y) => matmul(x, y, { activation: 'sigmoid' }), [data([9, 1], 5), data([1, 7], 6)], device);
  });

  it('a larger product (K = 67, tails in every tile dimension)', async () => {
    const device = await getDevice();
    await check((x, y, c) => matmul(x, y, { bias: c, activation: 'sigmoid' }), [data([5, 67], 7, { range: [-0.3, 0.3] }), data([67, 3], 8, { range: [-0.3, 0.3] }), data([3], 9)], device, {
      scale: 2,
    });
  });

  it('only the operands that require grad get one (x is data, W and b are parameters)', async () => {
    const device = await getDevice();
    await check((x, w, b) => matmul(x, w, { bias: b, activation: 'relu' }), [data([4, 3], 10), data([3, 5], 11), data([5], 12)], device, { wrt: [1, 2] });
  });
});
