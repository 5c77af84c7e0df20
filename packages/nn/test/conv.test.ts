import { describe, it, expect } from 'vitest';
import { Generator, fromArray, mean, square, sub, randn, noGrad, type Device } from '@saddle/autograd';
import { Conv2d, ConvTranspose2d, SGD, Sequential, ReLU } from '@saddle/nn';
import { DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';

describe.each(DEVICE_NAMES)('Conv2d and ConvTranspose2d on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it("have PyTorch's weight layouts, names and output shapes (a DCGAN-like 7 -> 14 -> 7 pair)", async () => {
    const d = await device();
    const up = new ConvTranspose2d(8, 4, 4, { stride: 2, padding: 1, device: d });
    const net = new Sequential(up, new ReLU(), new Conv2d(4, 6, 3, { stride: 2, padding: 1, device: d }));
    expect(net.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual(['0.weight:8x4x4x4', '0.bias:4', '2.weight:6x4x3x3', '2.bias:6']);
    const x = randn([2, 8, 7, 7], { device: d, generator: new Generator(1) });
    expect(up.forward(x).shape).toEqual([2, 4, 14, 14]);
    expect(net.forward(x).shape).toEqual([2, 6, 7, 7]);
    expect(new Conv2d(4, 6, [3, 5], { padding: 'same', groups: 2, bias: false, device: d }).forward(randn([1, 4, 5, 6], { device: d })).shape).toEqual([
      1, 6, 5, 6,
    ]);
  });

  it('initialise as PyTorch: weights and biases U(±1/√fanIn), fanIn = weight dim 1 · kH · kW', async () => {
    const d = await device();
    for (const [layer, fanIn] of [
      [new Conv2d(6, 16, 5, { groups: 2, device: d, generator: new Generator(3) }), 3 * 25],
      [new ConvTranspose2d(16, 6, 4, { device: d, generator: new Generator(4) }), 6 * 16],
    ] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      const w = Array.from(await layer.weight.toArray()).map(Math.abs);
      expect(Math.max(...w)).toBeLessThanOrEqual(bound);
      expect(Math.max(...w)).toBeGreaterThan(0.95 * bound); // spread over the whole interval (~1500 draws)
      expect(Math.max(...Array.from(await layer.bias!.toArray()).map(Math.abs))).toBeLessThanOrEqual(bound);
    }
  });

  it('a Conv2d learns a target convolution with SGD (loss falls by 20x)', async () => {
    const d = await device();
    const g = new Generator(5);
    const target = new Conv2d(2, 3, 3, { padding: 1, device: d, generator: g });
    const conv = new Conv2d(2, 3, 3, { padding: 1, device: d, generator: g });
    const opt = new SGD(conv.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = randn([4, 2, 6, 6], { device: d, generator: g });
    const y = noGrad(() => target.forward(x));
    const losses: number[] = [];
    for (let i = 0; i < 60; i++) {
      opt.zeroGrad();
      const loss = mean(square(sub(conv.forward(x), y)));
      if (i === 0 || i === 59) losses.push((await loss.toArray())[0]!);
      loss.backward();
      opt.step();
    }
    expect(losses[1]).toBeLessThan(losses[0]! / 20);
  });

  it('refuse bad options and inputs, naming the layer', async () => {
    const d = await device();
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(
      'Conv2d: groups is 2 with 3 input and 4 output channels; expected a positive integer dividing both',
    );
    expect(() => new ConvTranspose2d(4, 4, 0)).toThrow(/ConvTranspose2d: kernelSize is 0; expected an integer >= 1/);
    expect(() => new Conv2d(3, 4, 4, { padding: 'same' })).toThrow(/Conv2d: padding 'same' with kernelSize \[4, 4\], stride \[1, 1\]/);
    expect(() => new Conv2d(3, 4, 3, { strides: 2 } as never)).toThrow(/Conv2d: .*strides/);
    expect(() => new Conv2d(3, 4, 3, { device: d }).forward(fromArray(new Array(2 * 5 * 5).fill(1), [1, 2, 5, 5], { device: d }))).toThrow(
      'Conv2d: input has shape [1, 2, 5, 5]; expected [batch, 3, height, width]',
    );
  });
});
