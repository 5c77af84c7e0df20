import { describe, it, expect } from 'vitest';
import { fromArray, gradcheck, matmul, sum, tanh, tidy, type Tensor } from '@saddle/autograd';
import { r1Penalty } from '../src/r1.js';
import { NAMED_DEVICES } from '../../../test/support/devices.js';
import { expectClose } from '../../../test/support/compare.js';

/** A small D: tanh(x W1 + b1) · w2, logits [B, 1]. */
const D = (w1: Tensor, b1: Tensor, w2: Tensor) => (x: Tensor) => matmul(tanh(matmul(x, w1, { bias: b1 })), w2);

const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.9);

describe.each(NAMED_DEVICES)('r1Penalty on %s', (_name, getDevice) => {
  it('equals gamma/2 ||w||² for a linear D (the same gradient for every row)', async () => {
    const device = await getDevice();
    const w = [0.5, -1, 2];
    const x = fromArray(values(12, 1), [4, 3], { device });
    const wt = fromArray(w, [3, 1], { device });
    const r = tidy(() => r1Penalty((t) => matmul(t, wt), x, 10));
    expectClose([await r.item()], [5 * w.reduce((s, v) => s + v * v, 0)], { rtol: 1e-6 });
  });

  it("its gradient with respect to D's weights (a second derivative of D) matches finite differences", async () => {
    const device = await getDevice();
    const x = fromArray(values(5 * 3, 2), [5, 3], { dtype: 'f64' });
    const inputs = [
      fromArray(values(3 * 4, 3), [3, 4], { dtype: 'f64' }),
      fromArray(values(4, 4), [4], { dtype: 'f64' }),
      fromArray(values(4, 5), [4, 1], { dtype: 'f64' }),
    ];
    const report = await gradcheck((w1, b1, w2, xs) => r1Penalty(D(w1, b1, w2), xs, 10), [...inputs, x], {
      device,
      wrt: [0, 1, 2],
      ...(device.kind === 'cpu' ? { rtol: 1e-6, atol: 1e-7 } : { rtol: 3e-3, atol: 1e-4 }),
    });
    expect(report.ok, report.summary).toBe(true);
  });

  it('rejects a negative gamma and an empty batch', async () => {
    const device = await getDevice();
    const wt = fromArray([1, 2], [2, 1], { device });
    expect(() => r1Penalty((t) => matmul(t, wt), fromArray([1, 2], [1, 2], { device }), -1)).toThrow(/r1Penalty: gamma is -1/);
    expect(() => r1Penalty((t) => sum(t), fromArray([], [0, 2], { device }), 1)).toThrow(/expected a non-empty batch/);
  });
});
