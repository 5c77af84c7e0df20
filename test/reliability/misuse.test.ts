/**
 * Fuzzed API misuse (issue 12): every public op, called wrongly in the ways users do (a disposed
 * input, inputs on two devices, an integer dtype where a float is needed, shapes that do not fit,
 * axes out of range, nonsense numbers), must throw a SaddleError whose message starts with the op's
 * name, never a TypeError, a crash or a wrong result. fast-check picks the op, the misuse and the shapes.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as ag from '@saddle/autograd';
import { SaddleError, cpu, fromArray, type Device, type Tensor } from '@saddle/autograd';
import { Linear, Maxout, SGD } from '@saddle/nn';
import { webgpu } from '../support/devices.js';

type Make = (shape: readonly number[], opts?: { dtype?: 'f32' | 'i32'; device?: Device }) => Tensor;

/** One way to misuse an op: the op name the error must start with, and the call. */
interface Misuse {
  op: string;
  call: (make: Make, other: Device) => unknown;
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });
const UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'reciprocal', 'relu', 'sigmoid', 'tanh', 'softplus', 'square'] as const;
const FLOAT_UNARY = ['exp', 'log', 'sqrt', 'reciprocal', 'relu', 'sigmoid', 'tanh', 'softplus'] as const;
const BINARY = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'greater', 'greaterEqual', 'equal'] as const;
const REDUCE = ['sum', 'mean', 'max'] as const;

/** The misuses for one draw of shapes. */
function misuses(s: readonly number[], t: readonly number[], bad: number): Misuse[] {
  const rank = s.length;
  const list: Misuse[] = [];
  const disposed = (make: Make, shape = s) => {
    const x = make(shape);
    x.dispose();
    return x;
  };
  for (const op of UNARY) {
    list.push({ op, call: (m) => ag[op](disposed(m)) });
  }
  for (const op of FLOAT_UNARY) list.push({ op, call: (m) => ag[op](m(s, { dtype: 'i32' })) });
  for (const op of BINARY) {
    list.push({ op, call: (m) => ag[op](m(s), disposed(m)) });
    list.push({ op, call: (m, other) => ag[op](m(s), m(s, { device: other })) });
    list.push({ op, call: (m) => ag[op](m(s), m(s, { dtype: 'i32' })) });
    // [.., d + 1] against [.., d + 2]: never broadcastable.
    list.push({ op, call: (m) => ag[op](m([...s.slice(0, -1), s[rank - 1]! + 1]), m([...s.slice(0, -1), s[rank - 1]! + 2])) });
  }
  list.push({ op: 'matmul', call: (m) => ag.matmul(m([s[0]!, 3]), m([4, t[0]!])) });
  // Batch dims that do not broadcast (2 against 3), and a rank-0 operand: torch.matmul refuses both.
  list.push({ op: 'matmul', call: (m) => ag.matmul(m([2, 2, s[rank - 1]!]), m([3, s[rank - 1]!, 2])) });
  list.push({ op: 'matmul', call: (m) => ag.matmul(m([]), m(s)) });
  list.push({ op: 'matmul', call: (m, other) => ag.matmul(m([2, 3]), m([3, 2], { device: other })) });
  list.push({ op: 'matmul', call: (m) => ag.matmul(m([2, 3]), disposed(m, [3, 2])) });
  list.push({ op: 'matmul', call: (m) => ag.matmul(m([2, 3]), m([3, 2]), { bias: m([bad + 3]) }) });
  for (const op of REDUCE) {
    list.push({ op, call: (m) => ag[op](m(s), rank + bad) });
    list.push({ op, call: (m) => ag[op](m(s), -rank - 1 - bad) });
    list.push({ op, call: (m) => ag[op](m(s), 0.5) });
    list.push({ op, call: (m) => ag[op](disposed(m)) });
  }
  list.push({ op: 'mean', call: (m) => ag.mean(m(s, { dtype: 'i32' })) });
  list.push({ op: 'argmax', call: (m) => ag.argmax(m(s), rank + bad) });
  list.push({ op: 'argmax', call: (m) => ag.argmax(m(s), [0, 0] as unknown as number) });
  list.push({ op: 'reshape', call: (m) => ag.reshape(m(s), [ag.sizeOf(s) + 1 + bad]) });
  list.push({ op: 'reshape', call: (m) => ag.reshape(m(s), [-1, -1]) });
  list.push({ op: 'reshape', call: (m) => ag.reshape(disposed(m), [...s]) });
  list.push({ op: 'transpose', call: (m) => ag.transpose(m(s), rank === 1 ? [1] : s.map(() => 0)) });
  list.push({ op: 'transpose', call: (m) => ag.transpose(m(s), [...s.map((_, i) => i), rank]) });
  list.push({
    op: 'slice',
    call: (m) =>
      ag.slice(
        m(s),
        s.map(() => 0),
        s.map((d) => d + 1 + bad),
      ),
  });
  list.push({ op: 'concat', call: (m) => ag.concat([m(s), m([...s, 1])], 0) });
  list.push({ op: 'concat', call: (m) => ag.concat([m(s), m(s)], rank + bad) });
  list.push({ op: 'concat', call: (m, other) => ag.concat([m(s), m(s, { device: other })], 0) });
  list.push({ op: 'broadcastTo', call: (m) => ag.broadcastTo(m([...s.slice(0, -1), s[rank - 1]! + 1]), [...s]) });
  list.push({ op: 'expandDims', call: (m) => ag.expandDims(m(s), rank + 2 + bad) });
  list.push({ op: 'squeeze', call: (m) => ag.squeeze(m([...s, 2]), rank) });
  list.push({ op: 'sumTo', call: (m) => ag.sumTo(m(s), [...s, 7]) });
  list.push({ op: 'sigmoidBce', call: (m) => ag.sigmoidBce(m(s), m([...s, 2])) });
  list.push({ op: 'sigmoidBce', call: (m) => ag.sigmoidBce(m(s, { dtype: 'i32' }), 1) });
  list.push({ op: 'sigmoidBce', call: (m, other) => ag.sigmoidBce(m(s), m(s, { device: other })) });
  list.push({ op: 'sigmoidBce', call: (m) => ag.sigmoidBce(disposed(m), 0) });
  list.push({ op: 'maxout', call: (m) => ag.maxout(m([2, 3 * (bad + 2) + 1]), 3) });
  list.push({ op: 'maxout', call: (m) => ag.maxout(m([2, 6]), -bad) });
  list.push({ op: 'maxout', call: (m) => ag.maxout(m(s.length === 2 ? [...s, 1] : [2, 2, 2, 2].slice(0, rank === 2 ? 3 : rank)), 1) });
  list.push({ op: 'maxout', call: (m) => ag.maxout(m([2, 4], { dtype: 'i32' }), 2) });
  list.push({ op: 'maxoutDropout', call: (m) => ag.maxoutDropout(m([2, 4]), 2, 1.5 + bad) });
  list.push({ op: 'dropout', call: (m) => ag.dropout(m(s), -bad) });
  list.push({ op: 'dropout', call: (m) => ag.dropout(m(s), NaN) });
  list.push({ op: 'dropout', call: (m) => ag.dropout(disposed(m), 0.5) });
  list.push({ op: 'copyInto', call: (m) => ag.copyInto(m(s), m([...s, 2])) });
  list.push({ op: 'copyInto', call: (m, other) => ag.copyInto(m(s), m(s, { device: other })) });
  list.push({ op: 'backward', call: (m) => ag.sum(ag.mul(ag.param(m(s)), 2)).backward(m([bad + 2])) });
  list.push({ op: 'requiresGrad', call: (m) => ag.requiresGrad(m(s, { dtype: 'i32' })) });
  list.push({ op: 'item', call: (m) => m([...s, 2]).item() });
  list.push({ op: 'fromArray', call: () => fromArray([1, 2, 3], [...s, 4]) });
  list.push({ op: 'zeros', call: () => ag.zeros([...s, -1 - bad]) });
  list.push({ op: 'rand', call: () => ag.rand([...s], { low: 1, high: 1 - bad - 1 }) });
  list.push({ op: 'fromArray', call: (_m, other) => fromArray([1], [1], { dtype: 'f16' as 'f32', device: other }) });
  list.push({ op: 'Linear', call: () => new Linear(-1 - bad, 3) });
  list.push({ op: 'Maxout', call: () => new Maxout(2, 3, 0.5 + bad) });
  list.push({ op: 'SGD', call: (m) => new SGD([ag.param(m(s))], { lr: -0.5 - bad }) });
  list.push({ op: 'SGD', call: (m) => new SGD([ag.param(m(s))], { lr: 0.1, momentum: -1 - bad }) });
  list.push({
    op: 'SGD.step',
    call: (m) => {
      const p = ag.param(m(s));
      const opt = new SGD([p], { lr: 0.1 });
      p.dispose();
      opt.step();
    },
  });
  return list;
}

/** Runs misuse `pick`; returns null if it threw a SaddleError starting with the op's name, else what went wrong. */
async function attempt(device: Device, other: Device, s: readonly number[], t: readonly number[], bad: number, pick: number): Promise<string | null> {
  const made: Tensor[] = [];
  const make: Make = (shape, opts = {}) => {
    const x = fromArray(new Array(ag.sizeOf(shape)).fill(0.5), shape, { dtype: opts.dtype ?? 'f32', device: opts.device ?? device });
    made.push(x);
    return x;
  };
  const { op, call } = misuses(s, t, bad)[pick]!;
  let thrown: unknown = null;
  try {
    const r = call(make, other);
    if (r instanceof Promise) await r;
  } catch (e) {
    thrown = e;
  }
  for (const x of made) x.dispose();
  const where = `case ${pick} (${op}) with shapes ${JSON.stringify(s)}, ${JSON.stringify(t)}, bad ${bad}`;
  if (thrown === null) return `${where}: nothing thrown`;
  if (!(thrown instanceof SaddleError)) return `${where}: ${String(thrown)}`;
  if (!thrown.message.startsWith(`${op}:`)) return `${where}: message does not start with "${op}:": ${thrown.message}`;
  return null;
}

const CASES = misuses([2], [2], 0).length;

describe.each(['cpu', 'webgpu'] as const)('misuse of the public API on %s: a SaddleError naming the op', (kind) => {
  const devices = async () => {
    const gpu = await webgpu();
    return kind === 'cpu' ? [cpu, gpu] : [gpu, cpu];
  };

  it('every case of the table, on a few fixed shapes', async () => {
    const [device, other] = await devices();
    const failures: string[] = [];
    for (const s of [[1], [2, 3], [3, 1, 2]]) {
      for (let pick = 0; pick < CASES; pick++) {
        const f = await attempt(device!, other!, s, [2, 5], 1, pick);
        if (f) failures.push(f);
      }
    }
    expect(failures).toEqual([]);
  });

  it('fuzzed: random shapes, amounts of wrongness and cases', async () => {
    const [device, other] = await devices();
    await fc.assert(
      fc.asyncProperty(shapeArb, shapeArb, fc.integer({ min: 0, max: 3 }), fc.nat({ max: CASES - 1 }), async (s, t, bad, pick) => {
        const f = await attempt(device!, other!, s, t, bad, pick);
        expect(f).toBeNull();
      }),
      { numRuns: 400 },
    );
  });
});
