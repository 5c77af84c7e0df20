import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as ag from '@saddle/autograd';
import { fromArray, param, sum, type Tensor, type UnaryOpName, type BinaryOpName } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data, type Data } from './support.js';

/** A shape of rank 0..3 with dims 1..4. */
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });
/** Two shapes that broadcast together (b has some dims set to 1 and maybe fewer leading dims). */
const broadcastPair = shapeArb.chain((s) =>
  fc
    .tuple(fc.constant(s), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length }), fc.boolean())
    .map(([a, ones, drop, swap]) => {
      const b = a.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
      return swap ? ([b, a] as const) : ([a, b] as const);
    }),
);

/** The differentiable unary ops (logicalNot, like the comparisons, is never recorded: see below). */
type DiffUnary = Exclude<UnaryOpName, 'logicalNot'>;

const unaryData: Record<DiffUnary, Data> = {
  log1p: { range: [-0.8, 3] },
  expm1: { range: [-3, 3] },
  logSigmoid: { range: [-6, 6] },
  copy: {},
  neg: {},
  abs: { gap: 0.05 },
  sign: { gap: 0.05 },
  step: { gap: 0.05 },
  square: {},
  exp: { range: [-3, 3] },
  log: { range: [0.2, 3] },
  sqrt: { range: [0.2, 3] },
  reciprocal: { range: [-3, 3], gap: 0.3 },
  relu: { gap: 0.05 },
  sigmoid: { range: [-4, 4] },
  tanh: { range: [-3, 3] },
  softplus: { range: [-4, 4] },
};

const named: Record<DiffUnary, (x: Tensor) => Tensor> = {
  log1p: ag.log1p,
  expm1: ag.expm1,
  logSigmoid: ag.logSigmoid,
  copy: ag.contiguous,
  neg: ag.neg,
  abs: ag.abs,
  sign: ag.sign,
  step: ag.step,
  square: ag.square,
  exp: ag.exp,
  log: ag.log,
  sqrt: ag.sqrt,
  reciprocal: ag.reciprocal,
  relu: ag.relu,
  sigmoid: ag.sigmoid,
  tanh: ag.tanh,
  softplus: ag.softplus,
};

type Diff = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'pow';
const binaryData: Record<Diff, [Data, Data]> = {
  add: [{}, {}],
  sub: [{}, {}],
  mul: [{}, {}],
  div: [{}, { range: [-2, 2], gap: 0.4 }],
  maximum: [{}, {}],
  minimum: [{}, {}],
  pow: [{ range: [0.3, 2] }, { range: [-2, 2] }],
};

describe.each(NAMED_DEVICES)('elementwise gradients on %s', (_name, getDevice) => {
  for (const op of Object.keys(named) as DiffUnary[]) {
    it(`${op}, on random shapes`, async () => {
      const device = await getDevice();
      await fc.assert(
        fc.asyncProperty(shapeArb, fc.integer({ min: 1, max: 1e6 }), async (shape, seed) => {
          await check((x) => named[op](x), [data(shape, seed, unaryData[op])], device, { label: `${op} ${JSON.stringify(shape)} seed ${seed}` });
        }),
        { numRuns: 4 },
      );
    });
  }

  it('unary(name, x) records like the named ops', async () => {
    const device = await getDevice();
    await check((x) => ag.unary('tanh', x), [data([3, 2], 7)], device);
  });

  it('a strided (transposed) input gets its gradient in its own shape', async () => {
    const device = await getDevice();
    await check((x) => ag.sigmoid(ag.transpose(x, [1, 0])), [data([3, 5], 11)], device);
  });

  for (const op of Object.keys(binaryData) as Diff[]) {
    it(`${op}, with broadcasting`, async () => {
      const device = await getDevice();
      await fc.assert(
        fc.asyncProperty(broadcastPair, fc.integer({ min: 1, max: 1e6 }), async ([sa, sb], seed) => {
          const [da, db] = binaryData[op];
          await check((a, b) => ag.binary(op, a, b), [data(sa, seed, da), data(sb, seed + 1, db)], device, {
            label: `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)} seed ${seed}`,
          });
        }),
        { numRuns: 5 },
      );
    });

    it(`${op}, with a number operand on either side`, async () => {
      const device = await getDevice();
      const c = op === 'pow' ? 1.7 : op === 'div' ? -1.3 : 0.6;
      const [da, db] = binaryData[op];
      await check((a) => ag.binary(op, a, c), [data([2, 3], 5, da)], device, { label: `${op}(x, ${c})` });
      await check((b) => ag.binary(op, op === 'pow' ? 1.5 : c, b), [data([4], 6, db)], device, { label: `${op}(${c}, x)` });
    });
  }

  it('maximum and minimum split the gradient evenly at ties, as central differences do', async () => {
    const device = await getDevice();
    const a = fromArray([1, -2, 3, 0.5], [4], { dtype: 'f64' });
    const b = fromArray([1, 0, 3, 0.5], [4], { dtype: 'f64' });
    // At a tie the first derivative jumps: there is no second derivative to check.
    await check((x, y) => ag.maximum(x, y), [a, b], device, { secondOrder: false });
    await check((x, y) => ag.minimum(x, y), [a, b], device, { secondOrder: false });
    // And the two halves add up to the whole gradient.
    const x = param(fromArray([2, 2], [2], { device }));
    sum(ag.maximum(x, x)).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([1, 1]);
  });

  it('a tensor used as both operands gets both contributions', async () => {
    const device = await getDevice();
    for (const op of ['mul', 'div', 'sub', 'add'] as const) {
      await check((x) => ag.binary(op, x, x), [data([3], 2, { range: [0.5, 2] })], device, { label: op });
    }
  });

  it('the comparisons and logical ops are not recorded (their results carry no gradient)', async () => {
    const device = await getDevice();
    const x = param(fromArray([1, 2, 3], [3], { device }));
    for (const op of ['greater', 'greaterEqual', 'equal', 'notEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr'] as BinaryOpName[]) {
      const y = ag.binary(op, x, 2);
      expect(y.requiresGrad, op).toBe(false);
      expect(y.gradNode, op).toBe(null);
    }
    expect(ag.greater(x, 1).requiresGrad).toBe(false);
    expect(ag.logicalNot(x).requiresGrad).toBe(false);
    expect(x.less(2).requiresGrad).toBe(false);
  });
});
