/**
 * D's dropout: the dropout on each hidden layer's input runs inside the maxout kernel of the layer
 * before it. That must change nothing but the kernel count: the same masks from the same generator
 * in the same order, the same logits and the same gradients, bit for bit, as the paper's D written
 * out with separate dropout ops; and no dropout at all in eval mode.
 */
import { describe, expect, it } from 'vitest';
import { Generator, dropout, fromArray, matmul, maxout, sigmoidBce, type Device, type Tensor, type WebGpuDevice } from '@saddle/autograd';
import { DiscriminatorNet, type DiscriminatorArch } from '../src/models.js';
import { webgpu, DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';

const ARCH: DiscriminatorArch = { inDim: 20, units: [9, 6], pieces: 3, initRange: 0.5, keepInput: 0.8, keepHidden: 0.5 };

/** The paper's D with every dropout a separate op: dropout, maxout, dropout, maxout, dropout, linear. */
function reference(D: DiscriminatorNet, x: Tensor, g: Generator, train: boolean): Tensor {
  const drop = (h: Tensor, keep: number) => (train ? dropout(h, keep, { generator: g }).out : h);
  let h = drop(x, ARCH.keepInput);
  for (const layer of D.hidden) h = drop(maxout(matmul(h, layer.weight, { bias: layer.bias }), ARCH.pieces).out, ARCH.keepHidden);
  return matmul(h, D.out.weight, { bias: D.out.bias ?? undefined });
}

async function grads(ps: readonly Tensor[]): Promise<number[][]> {
  const out: number[][] = [];
  for (const p of ps) {
    out.push(Array.from(await p.grad!.toArray()));
    p.grad = null;
  }
  return out;
}

describe.each(DEVICE_NAMES)('DiscriminatorNet on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('fused dropout: the logits, gradients and generator offsets of the unfused D, bit for bit', async () => {
    const d = await device();
    const fusedGen = new Generator(5);
    const D = new DiscriminatorNet(ARCH, { device: d, init: new Generator(1) }, fusedGen);
    expect(D.namedParameters().map(([n]) => n)).toEqual(['h0.weight', 'h0.bias', 'h1.weight', 'h1.bias', 'y.weight', 'y.bias']);
    const refGen = new Generator(5);
    const x = fromArray(
      Array.from({ length: 11 * 20 }, (_, i) => Math.abs(Math.sin(i * 0.9))),
      [11, 20],
      { device: d },
    );
    for (let step = 0; step < 3; step++) {
      const a = D.forward(x);
      sigmoidBce(a, 1).backward();
      const ga = await grads(D.parameters());
      const b = reference(D, x, refGen, true);
      sigmoidBce(b, 1).backward();
      const gb = await grads(D.parameters());
      expect(Array.from(await a.toArray())).toEqual(Array.from(await b.toArray()));
      expect(ga).toEqual(gb);
      expect(fusedGen.offset).toBe(refGen.offset);
    }
    // 3 forward passes, each drawing masks for [11, 20], [11, 9] and [11, 6].
    expect(fusedGen.offset).toBe(3 * (Math.ceil(220 / 4) + Math.ceil(99 / 4) + Math.ceil(66 / 4)));
    D.eval();
    const before = fusedGen.offset;
    expect(Array.from(await D.forward(x).toArray())).toEqual(Array.from(await reference(D, x, refGen, false).toArray()));
    expect(fusedGen.offset).toBe(before);
  });
});

describe('DiscriminatorNet on webgpu', () => {
  it('in training mode, one kernel fewer per hidden layer than separate dropout layers would run', async () => {
    const gpu: WebGpuDevice = await webgpu();
    const d: Device = gpu;
    const D = new DiscriminatorNet(ARCH, { device: d, init: new Generator(1) }, new Generator(2));
    const x = fromArray(new Float32Array(4 * 20).fill(0.5), [4, 20], { device: d });
    const count = (f: () => Tensor) => {
      const before = gpu.counters.dispatches;
      f();
      return gpu.counters.dispatches - before;
    };
    const fused = count(() => D.forward(x));
    const unfused = count(() => reference(D, x, new Generator(2), true));
    expect(unfused - fused).toBe(ARCH.units.length);
  });
});
