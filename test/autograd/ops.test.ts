/**
 * The op set of @saddle/autograd: every op of @saddle/ops is there, the differentiable
 * ones wrapped (same results, plus a node on the tape), the others exactly the kernel ops.
 */
import { describe, it, expect } from 'vitest';
import * as ag from '@saddle/autograd';
import * as k from '@saddle/ops';
import { cpu, fromArray, param, type Tensor } from '@saddle/autograd';
import { nodeOf } from '@saddle/autograd';

const x = () => param(fromArray([0.5, -1.5, 2, 0.25, -0.75, 1], [2, 3], { device: cpu }));
const w = () => param(fromArray([0.1, 0.2, 0.3, -0.1, -0.2, -0.3], [3, 2], { device: cpu }));

/** Each differentiable op, called on leaves that require grad: [name, call, the kernel op's call]. */
const differentiable: [string, (m: typeof k) => Tensor][] = [
  ...(
    ['neg', 'abs', 'sign', 'square', 'exp', 'sqrt', 'reciprocal', 'relu', 'step', 'sigmoid', 'tanh', 'softplus', 'contiguous', 'expm1', 'logSigmoid'] as const
  ).map((n) => [n, (m: typeof k) => m[n](n === 'sqrt' ? m.abs(x()) : x())] as [string, (m: typeof k) => Tensor]),
  ['log', (m) => m.log(m.abs(x()))],
  ['log1p', (m) => m.log1p(m.abs(x()))],
  ...(['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const).map(
    (n) => [n, (m: typeof k) => m[n](x(), fromArray([2, 3, 4], [3], { device: cpu }))] as [string, (m: typeof k) => Tensor],
  ),
  ['pow', (m) => m.pow(m.abs(x()), 2)],
  ['matmul', (m) => m.matmul(x(), w(), { activation: 'sigmoid', bias: fromArray([1, 2], [2], { device: cpu }) })],
  ['sum', (m) => m.sum(x(), 1)],
  ['mean', (m) => m.mean(x(), 0, true)],
  ['max', (m) => m.max(x(), 1)],
  ['sumTo', (m) => m.sumTo(x(), [3])],
  ['maxout', (m) => m.maxout(x(), 3).out],
  ['dropout', (m) => m.dropout(x(), 0.5, { seed: 3 }).out],
  ['maxoutDropout', (m) => m.maxoutDropout(x(), 3, 0.5, { seed: 3 }).out],
  ['sigmoidBce', (m) => m.sigmoidBce(x(), 1)],
  ['reshape', (m) => m.reshape(x(), [3, 2])],
  ['transpose', (m) => m.transpose(x())],
  ['slice', (m) => m.slice(x(), [0, 1], [2, 2])],
  ['concat', (m) => m.concat([x(), x()], 0)],
  ['broadcastTo', (m) => m.broadcastTo(x(), [4, 2, 3])],
  ['expandDims', (m) => m.expandDims(x(), 0)],
  ['squeeze', (m) => m.squeeze(m.expandDims(x(), 0))],
  // The gradient kernels record too, so that gradients built with them can be differentiated again.
  ['sigmoidBceGrad', (m) => m.sigmoidBceGrad(x(), 1, 0.5)],
  ['softmax', (m) => m.softmax(x(), 0)],
  ['logSoftmax', (m) => m.logSoftmax(x())],
  ['crossEntropy', (m) => m.crossEntropy(x(), fromArray([2, 0], [2], { device: cpu, dtype: 'i32' }))],
  ['crossEntropyGrad', (m) => m.crossEntropyGrad(x(), fromArray([2, 0], [2], { device: cpu, dtype: 'i32' }), 2)],
  ['clamp', (m) => m.clamp(x(), -1, 1)],
  ['leakyRelu', (m) => m.leakyRelu(x(), 0.1)],
  ['where', (m) => m.where(m.greater(x(), 0), x(), 3)],
  ['gather', (m) => m.gather(x(), fromArray([1, 1, 0], [3], { device: cpu, dtype: 'i32' }), 0)],
  ['scatterAdd', (m) => m.scatterAdd(x(), fromArray([1, 1, 0], [3], { device: cpu, dtype: 'i32' }), 1, 2)],
  ['bmm', (m) => m.bmm(m.reshape(x(), [1, 2, 3]), w(), { transA: false })],
  ['conv2d', (m) => m.conv2d(m.reshape(x(), [1, 1, 2, 3]), m.reshape(w(), [1, 1, 2, 3]), { padding: 1 })],
  ['convTranspose2d', (m) => m.convTranspose2d(m.reshape(x(), [1, 1, 2, 3]), m.reshape(w(), [1, 1, 2, 3]), { stride: 2 })],
  ['maxoutBackward', (m) => m.maxoutBackward(x(), m.maxout(fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 6], { device: cpu }), 2).argmax, 2)],
  ['maxPool2d', (m) => m.maxPool2d(m.reshape(x(), [1, 1, 2, 3]), { kernelSize: 2, stride: 1 })],
  ['avgPool2d', (m) => m.avgPool2d(m.reshape(x(), [1, 1, 2, 3]), { kernelSize: 2, stride: 1, padding: 1 })],
  [
    'maxPool2dBackward',
    (m) =>
      m.maxPool2dBackward(m.reshape(x(), [1, 1, 2, 3]), fromArray([0, 1, 3, 3, 4, 5], [1, 1, 2, 3], { device: cpu, dtype: 'i32' }), [1, 1, 2, 3], {
        kernelSize: 1,
      }),
  ],
  ['avgPool2dBackward', (m) => m.avgPool2dBackward(m.reshape(x(), [1, 1, 1, 6]), [1, 1, 2, 7], { kernelSize: 2, stride: 1 })],
];

describe('the op set of @saddle/autograd', () => {
  for (const [name, call] of differentiable) {
    it(`${name} is wrapped: the kernel op's result, recorded on the tape`, async () => {
      expect((ag as Record<string, unknown>)[name], `${name} is exported`).toBeTypeOf('function');
      expect((ag as Record<string, unknown>)[name], `${name} is wrapped`).not.toBe((k as Record<string, unknown>)[name]);
      const out = call(ag as unknown as typeof k);
      const want = call(k);
      expect(out.shape).toEqual(want.shape);
      expect(Array.from(await out.toArray())).toEqual(Array.from(await want.toArray()));
      expect(out.requiresGrad).toBe(true);
      expect(nodeOf(out)?.op).toBe(name);
      expect(want.requiresGrad).toBe(false);
    });
  }

  it('the non-differentiable ops are the kernel ops themselves', () => {
    for (const name of ['argmax', 'rand', 'randn', 'randint', 'dropoutMask', 'sgdMomentumUpdate', 'sgdMomentumUpdateMany', 'copyInto', 'manualSeed']) {
      expect((ag as Record<string, unknown>)[name], name).toBe((k as Record<string, unknown>)[name]);
    }
    expect(ag.Generator).toBe(k.Generator);
  });

  it('unary(name, x) and binary(name, a, b) record as the named ops do', () => {
    expect(nodeOf(ag.unary('exp', x()))?.op).toBe('exp');
    expect(nodeOf(ag.binary('mul', x(), 2))?.op).toBe('mul');
    expect(ag.binary('greater', x(), 0).requiresGrad).toBe(false);
  });

  it('the whole tensor API comes along, so one import is enough', () => {
    for (const name of ['tensor', 'fromArray', 'zeros', 'ones', 'tidy', 'keep', 'memory', 'useDevice', 'Tensor', 'SaddleError']) {
      expect((ag as Record<string, unknown>)[name], name).toBeDefined();
    }
  });
});
