import { describe, it, expect } from 'vitest';
import { avgPool2d, fromArray, maxPool2d, mul, param, sum, type Device } from '@saddle/autograd';
import { AvgPool2d, BatchNorm2d, MaxPool2d, Sequential } from '@saddle/nn';
import { DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';

const input = (d: Device) =>
  fromArray(
    Array.from({ length: 2 * 3 * 6 * 5 }, (_, i) => Math.sin(i * 1.3) * 3),
    [2, 3, 6, 5],
    { device: d },
  );

describe.each(DEVICE_NAMES)('pooling layers on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('MaxPool2d and AvgPool2d are the ops with the options they were built with, and pass gradients on', async () => {
    const d = await device();
    const x = input(d);
    const maxOpts = { kernelSize: 3, stride: 2, padding: 1 } as const;
    const avgOpts = { kernelSize: [2, 3], stride: 1, countIncludePad: false } as const;
    expect(Array.from(await new MaxPool2d(maxOpts).forward(x).toArray())).toEqual(Array.from(await maxPool2d(x, maxOpts).toArray()));
    expect(Array.from(await new AvgPool2d(avgOpts).forward(x).toArray())).toEqual(Array.from(await avgPool2d(x, avgOpts).toArray()));
    const net = new Sequential(new MaxPool2d({ kernelSize: 2 }), new AvgPool2d({ kernelSize: 3, stride: 1, padding: 1 }), new BatchNorm2d(3, { device: d }));
    expect(net.parameters().length).toBe(2);
    const p = param(input(d));
    const y = net.forward(p);
    expect(y.shape).toEqual([2, 3, 3, 2]);
    // A weighting that varies per element (the mean of a batch-normalized output is constant).
    sum(
      mul(
        y,
        fromArray(
          Array.from({ length: y.size }, (_, i) => (i % 7) - 3),
          y.shape,
          { device: d },
        ),
      ),
    ).backward();
    const g = Array.from(await p.grad!.toArray());
    // Max pooling routes to one input per 2x2 window (the 6x4 the windows cover): at most 36 inputs.
    expect(g.filter((v) => v !== 0).length).toBeGreaterThan(12);
    expect(g.filter((v) => v !== 0).length).toBeLessThanOrEqual((2 * 3 * 6 * 4) / 4);
    net.dispose();
  });

  it('bad options fail when the layer is built, naming it', () => {
    expect(() => new MaxPool2d({ kernelSize: 2, padding: 2 })).toThrowError(/^MaxPool2d: padding \[2, 2\] is more than half of kernelSize \[2, 2\]/);
    expect(() => new AvgPool2d({ kernelSize: 2, dilation: 2 } as never)).toThrowError(/^AvgPool2d: unknown option dilation/);
    expect(() => new MaxPool2d({ kernelSize: -1 })).toThrowError(/^MaxPool2d: kernelSize is -1; expected a positive integer/);
    expect(() => new AvgPool2d({ kernelSize: 2, countIncludePad: 'yes' } as never)).toThrowError(/^AvgPool2d: countIncludePad is yes; expected a boolean$/);
  });
});
