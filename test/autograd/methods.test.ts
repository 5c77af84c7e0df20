/**
 * Tensor methods (packages/autograd/src/methods.ts): `x.op(...rest)` is `op(x, ...rest)` for every
 * op of @saddle/autograd that takes a tensor first. A method chain and the function chain give the
 * same values and the same gradients, bit for bit, on every device, and record the same tape.
 */
import { describe, it, expect } from 'vitest';
import * as ag from '@saddle/autograd';
import {
  TENSOR_METHOD_NAMES,
  Tensor,
  add,
  fromArray,
  matmul,
  max,
  mean,
  mul,
  nodeOf,
  param,
  pow,
  relu,
  reshape,
  slice,
  softmax,
  sub,
  sum,
  tanh,
  tidy,
  transpose,
  where,
  greater,
  type Device,
} from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';

const X = [0.5, -1.5, 2, 0.25, -0.75, 1, 0.3, -0.2];
const W = [0.1, 0.2, 0.3, -0.1, -0.2, -0.3, 0.4, 0.05];
const B = [0.1, -0.4];

/** Leaves on `device`: x [2, 4], w [4, 2], b [2]. */
function leaves(device: Device) {
  return {
    x: param(fromArray(X, [2, 4], { device })),
    w: param(fromArray(W, [4, 2], { device })),
    b: param(fromArray(B, [2], { device })),
  };
}

/** The op names on the tape below `t`, in the order a depth-first walk meets them. */
function tapeOps(t: Tensor): string[] {
  const names: string[] = [];
  const seen = new Set<unknown>();
  const walk = (node: ReturnType<typeof nodeOf>) => {
    if (!node || seen.has(node)) return;
    seen.add(node);
    names.push(node.op);
    for (const input of node.inputs) if (input instanceof ag.Node) walk(input);
  };
  walk(nodeOf(t));
  return names;
}

async function gradsOf(loss: Tensor, ps: Tensor[]): Promise<number[][]> {
  loss.backward();
  const out = await Promise.all(ps.map(async (p) => (p.grad ? Array.from(await p.grad.toArray()) : [])));
  ag.zeroGrad(ps);
  return out;
}

describe.each(NAMED_DEVICES)('tensor methods on %s', (_name, getDevice) => {
  it("a method chain gives the function chain's values and gradients, bit for bit, and the same tape", async () => {
    const device = await getDevice();
    const { x, w, b } = leaves(device);
    const chains: [string, () => Tensor, () => Tensor][] = [
      ['mlp', () => x.matmul(w).add(b).relu().sum(1).mean(), () => mean(sum(relu(add(matmul(x, w), b)), 1))],
      [
        'shapes',
        () =>
          x
            .reshape([4, 2])
            .transpose()
            .slice([0, 1], [2, 3])
            .tanh()
            .mul(2)
            .sub(w.slice([1, 0], [2, 2]).sum())
            .pow(2)
            .max(1)
            .sum(),
        () => sum(max(pow(sub(mul(tanh(slice(transpose(reshape(x, [4, 2])), [0, 1], [2, 3])), 2), sum(slice(w, [1, 0], [2, 2]))), 2), 1)),
      ],
      [
        'softmax, where',
        () => x.softmax(0).greater(0.3).where(x, x.neg()).mul(w.transpose()).sum(),
        () => sum(mul(where(greater(softmax(x, 0), 0.3), x, ag.neg(x)), transpose(w))),
      ],
    ];
    for (const [label, method, fn] of chains) {
      // No tidy: backward needs the forward's tensors alive; this test's few are left to the GC.
      const m = method();
      const f = fn();
      expect(tapeOps(m), label).toEqual(tapeOps(f));
      expect(Array.from(await m.toArray()), label).toEqual(Array.from(await f.toArray()));
      const gm = await gradsOf(m, [x, w, b]);
      const gf = await gradsOf(f, [x, w, b]);
      expect(gm, label).toEqual(gf);
      expect(
        gm.flat().some((v) => v !== 0),
        `${label}: some gradient is nonzero`,
      ).toBe(true);
    }
    for (const t of [x, w, b]) t.dispose();
  });

  it('methods differentiate twice, as the functions do', async () => {
    const device = await getDevice();
    const x = param(fromArray([0.5, -1, 2], [3], { device }));
    tidy(() => {
      x.mul(x).mul(x).sum().backward({ createGraph: true });
      const g = x.grad!;
      x.grad = null;
      g.sum().backward();
    });
    expect(Array.from(await x.grad!.toArray())).toEqual([6 * 0.5, 6 * -1, 6 * 2]);
    x.dispose();
  });
});

describe('the method set', () => {
  it('has every op of @saddle/autograd that takes a tensor first, on Tensor.prototype, calling that op', async () => {
    const proto = Tensor.prototype as unknown as Record<string, unknown>;
    for (const name of [
      'add',
      'sub',
      'mul',
      'matmul',
      'bmm',
      'relu',
      'sum',
      'mean',
      'max',
      'argmax',
      'reshape',
      'transpose',
      'slice',
      'where',
      'gather',
      'softmax',
      'clamp',
    ])
      expect(TENSOR_METHOD_NAMES, name).toContain(name);
    for (const name of TENSOR_METHOD_NAMES) {
      expect(proto[name], name).toBeTypeOf('function');
      expect((ag as Record<string, unknown>)[name], `${name} is an op of @saddle/autograd`).toBeTypeOf('function');
    }
    // Not methods: what takes no tensor first.
    for (const name of ['unary', 'binary', 'concat', 'rand', 'randn', 'manualSeed', 'Generator']) expect(proto[name], name).toBeUndefined();
    // The unary ops, called as methods, give the op's result.
    const x = fromArray([0.5, -1.5, 2], [3]);
    for (const name of ['neg', 'abs', 'exp', 'relu', 'sigmoid', 'tanh', 'softplus', 'square'] as const) {
      const m = (x as unknown as Record<string, () => Tensor>)[name]!();
      expect(Array.from(await m.toArray()), name).toEqual(Array.from(await ag[name](x).toArray()));
    }
  });
});
