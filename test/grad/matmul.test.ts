import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromArray, matmul, param, runBackward } from '@saddle/autograd';
import * as k from '@saddle/ops';
import { NAMED_DEVICES, webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';
import { randomData } from '../support/random-data.js';
import { check, data } from './support.js';

// On wasm, f32 on every core: the same f32 tolerances as WebGPU (gradcheck compares with float64 differences).
const activations = ['none', 'relu', 'sigmoid'] as const;

describe.each(NAMED_DEVICES)('matmul gradients on %s', (_name, getDevice) => {
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
    await check(
      (x, y, c) => matmul(x, y, { bias: c, activation: 'sigmoid' }),
      [data([5, 67], 7, { range: [-0.3, 0.3] }), data([67, 3], 8, { range: [-0.3, 0.3] }), data([3], 9)],
      device,
      {
        scale: 2,
      },
    );
  });

  it('only the operands that require grad get one (x is data, W and b are parameters)', async () => {
    const device = await getDevice();
    await check((x, w, b) => matmul(x, w, { bias: b, activation: 'relu' }), [data([4, 3], 10), data([3, 5], 11), data([5], 12)], device, { wrt: [1, 2] });
  });
});

describe("the fused matmul backward (ReLU' and the bias sum inside the products) on webgpu", () => {
  it('relu(x·W + b): the three gradients in 2 dispatches (5 unfused), equal to the unfused ops', async () => {
    const device = await webgpu();
    const [B, K, N] = [37, 29, 45];
    const x = param(fromArray(randomData(B * K, 1, -1, 1), [B, K], { device }));
    const W = param(fromArray(randomData(K * N, 2, -1, 1), [K, N], { device }));
    const b = param(fromArray(randomData(N, 3, -1, 1), [N], { device }));
    const y = matmul(x, W, { bias: b, activation: 'relu' });
    const g = fromArray(randomData(B * N, 4, -1, 1), [B, N], { device });
    const before = device.counters.dispatches;
    const grads = runBackward(y, g, false, [x, W, b]);
    expect(device.counters.dispatches - before).toBe(2);
    // The unfused math, op by op, on the same adapter.
    const dz = k.mul(g, k.step(y));
    const want = [k.matmul(dz, W, { transB: true }), k.matmul(x, dz, { transA: true }), k.sum(dz, 0)];
    for (const [i, t] of [x, W, b].entries()) {
      expectClose(await grads.get(t)!.toArray(), await want[i]!.toArray(), { atol: 1e-5, rtol: 1e-5, label: ['dx', 'dW', 'db'][i] });
    }
  });
});
