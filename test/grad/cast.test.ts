/** cast's gradient: between float dtypes the gradient is cast back; an integer result is not recorded. */
import { describe, it, expect } from 'vitest';
import { cast as castAg, fromArray as fromArrayAg, gradcheck, mul, param, sum } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';

describe.each(NAMED_DEVICES)('cast gradients on %s', (_name, getDevice) => {
  it('records between float dtypes only', async () => {
    const device = await getDevice();
    const x = param(fromArrayAg([1.5, -2.5], [2], { device }));
    expect(castAg(x, 'i32').requiresGrad).toBe(false);
    const y = castAg(x, 'f32');
    expect(y.requiresGrad).toBe(true);
    sum(y).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([1, 1]);
    expect(Array.from(await x.cast('i32').toArray()), 'the method').toEqual([1, -2]);
    if (device.kind === 'cpu') {
      // f64 -> f32 -> the loss: the gradient comes back cast to f64.
      const x64 = param(fromArrayAg([0.5, -1.25], [2], { dtype: 'f64' }));
      const y32 = castAg(x64, 'f32');
      sum(mul(y32, y32)).backward();
      expect(x64.grad!.dtype).toBe('f64');
      expect(Array.from(await x64.grad!.toArray())).toEqual([1, -2.5]);
      const report = await gradcheck((t) => castAg(t, 'f64'), [fromArrayAg([0.5, -1.25], [2], { dtype: 'f64' })], { device });
      expect(report.ok, report.summary).toBe(true);
    }
  });
});
