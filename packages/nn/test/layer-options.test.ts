/**
 * Option mistakes fail when made (issue 21 point 6, issue 26 point 3): a layer, `mlp` or an
 * initializer refuses an activation, initializer or option it cannot run in its constructor, with a
 * SaddleError naming the layer, the option and the allowed values; nothing is built. On every device.
 */
import { describe, it, expect } from 'vitest';
import { Generator, SaddleError, fromArray, memory, type Device } from '@saddle/autograd';
import { Dropout, Linear, Maxout, Sequential, init, mlp, type Initializer } from '@saddle/nn';
import { DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';

describe.each(DEVICE_NAMES)('layer options on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('an activation a layer cannot run is refused by the constructor, naming the allowed values', async () => {
    const d = await device();
    const live = memory().liveTensors;
    expect(() => mlp([2, 3, 1], { device: d, activation: 'tanh' as 'relu' })).toThrowError(
      /^mlp: activation is 'tanh'; expected one of 'none', 'relu', 'sigmoid'$/,
    );
    expect(() => mlp([2, 3, 1], { device: d, outputActivation: 'softmax' as 'none' })).toThrowError(
      /^mlp: outputActivation is 'softmax'; expected one of 'none', 'relu', 'sigmoid'$/,
    );
    expect(() => new Linear(2, 3, { device: d, activation: 'gelu' as 'relu' })).toThrowError(
      /^Linear: activation is 'gelu'; expected one of 'none', 'relu', 'sigmoid'$/,
    );
    expect(() => new Linear(2, 3, { device: d, activation: 1 as unknown as 'relu' })).toThrowError(/^Linear: activation is 1; expected one of/);
    // Nothing was allocated by a refused construction.
    expect(memory().liveTensors).toBe(live);
    // Each allowed one builds and runs.
    for (const activation of ['none', 'relu', 'sigmoid'] as const) {
      const l = new Linear(2, 3, { device: d, activation });
      l.forward(fromArray([1, 2], [1, 2], { device: d })).dispose();
      l.dispose();
    }
  });

  it('an unknown option name, an initializer that is not one, a bad generator, device or flag are refused', async () => {
    const d = await device();
    const cases: [() => unknown, RegExp][] = [
      [
        () => new Linear(2, 3, { device: d, activaton: 'relu' } as object),
        /^Linear: unknown option 'activaton'; expected one of 'device', 'generator', 'activation', 'weightInit', 'biasInit', 'bias'$/,
      ],
      [
        () => mlp([2, 3, 1], { device: d, bias: false } as object),
        /^mlp: unknown option 'bias'; expected one of 'device', 'generator', 'activation', 'weightInit', 'biasInit', 'outputActivation'$/,
      ],
      [
        () => new Linear(2, 3, { device: d, weightInit: 'glorot' as unknown as Initializer }),
        /^Linear: weightInit is glorot; expected an initializer: init.glorotUniform\(\)/,
      ],
      [() => new Maxout(2, 3, 2, { device: d, biasInit: 0 as unknown as Initializer }), /^Maxout: biasInit is 0; expected an initializer/],
      [() => new Linear(2, 3, { device: d, generator: 7 as unknown as Generator }), /^Linear: generator is 7; expected a Generator \(new Generator\(seed\)\)$/],
      [() => new Maxout(2, 3, 2, { device: d, dropoutGenerator: {} as Generator }), /^Maxout: dropoutGenerator is \[object Object\]; expected a Generator/],
      [() => new Maxout(2, 3, 2, { device: d, dropoutAfter: NaN }), /^Maxout: dropoutAfter is NaN; expected a keep probability/],
      [() => new Maxout(2, 3, 2, { device: d, pieces: 2 } as object), /^Maxout: unknown option 'pieces'/],
      [() => new Linear(2, 3, { device: 'webgpu' as unknown as Device }), /^Linear: device is webgpu; expected a Device/],
      [() => new Linear(2, 3, { device: d, bias: 'no' as unknown as boolean }), /^Linear: bias is no; expected true or false$/],
      [() => new Dropout(0.5, { generatr: new Generator(1) } as object), /^Dropout: unknown option 'generatr'; expected one of 'generator'$/],
      [() => new Dropout(Infinity), /^Dropout: keep is Infinity; expected 0 < keep <= 1$/],
      [() => new Dropout(0.5, { generator: 'g' as unknown as Generator }), /^Dropout: generator is g; expected a Generator/],
      [() => new Sequential(new Linear(2, 3, { device: d }), 'relu' as unknown as Linear), /^Sequential: layer 1 is relu; expected a Module/],
      [() => mlp([784], { device: d }), /^mlp: widths is \[784\]; expected at least two layer widths/],
      [() => mlp([784, 0, 10], { device: d }), /^mlp: widths\[1\] is 0; expected a positive integer$/],
      [() => init.uniform(-Infinity, 1), /^uniform: low is -Infinity and high is 1; expected finite numbers with low < high$/],
      [() => init.uniform(1, 1), /^uniform: low is 1 and high is 1/],
      [() => init.normal(0, -1), /^normal: mean is 0 and std is -1; expected a finite mean and a finite std >= 0$/],
      [() => init.normal(NaN, 1), /^normal: mean is NaN/],
      [() => init.constant(NaN), /^constant: value is NaN; expected a finite number$/],
    ];
    for (const [make, re] of cases) {
      let thrown: unknown = null;
      try {
        make();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, String(re)).toBeInstanceOf(SaddleError);
      expect((thrown as Error).message).toMatch(re);
    }
  });

  it('the same options as before still build (defaults, every known option)', async () => {
    const d = await device();
    const g = new Generator(3);
    const net = mlp([4, 5, 2], {
      device: d,
      generator: g,
      activation: 'sigmoid',
      outputActivation: 'relu',
      weightInit: init.normal(0, 0.1),
      biasInit: init.constant(0.5),
    });
    const m = new Maxout(4, 3, 2, {
      device: d,
      generator: g,
      weightInit: init.uniform(-1, 1),
      biasInit: init.zeros,
      dropoutAfter: 0.8,
      dropoutGenerator: new Generator(4),
    });
    const seq = new Sequential(net, new Dropout(0.5, { generator: g }));
    expect(seq.parameters().length).toBe(4);
    expect(m.parameters().length).toBe(2);
    seq.dispose();
    m.dispose();
  });
});
