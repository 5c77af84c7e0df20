/**
 * The op list (packages/autograd/src/op-list.ts, issue 23): one entry per export of
 * @saddle/autograd's ops, from which the recording wrappers the rules call, the tensor methods and
 * the elementwise rule tables are derived. Most of its guarantees are the compiler's; the type-level
 * cases below (`@ts-expect-error`, checked by `tsc -p tsconfig.json`) show that each table missing
 * an op fails to compile, and the runtime cases that the derived tables hold what the list says.
 */
import { describe, it, expect } from 'vitest';
import * as ag from '@saddle/autograd';
import * as kernels from '@saddle/ops';
import { TENSOR_METHOD_NAMES, Tensor } from '@saddle/autograd';
import { NOT_METHODS, OP_LIST, RECORDING_OPS, type OpListOf, type RecordedOpName } from '../../packages/autograd/src/op-list.js';
import type { OpsExport } from '../../packages/autograd/src/op-list-checks.js';
import { k, installRecordingOps } from '../../packages/autograd/src/rules/common.js';
import { UNARY_RULES, type DifferentiableBinary, type DifferentiableUnary, type UnaryRule } from '../../packages/autograd/src/rules/elementwise.js';

describe('the op list', () => {
  it('names every value export of the ops, and the ops of @saddle/autograd are exactly those', () => {
    // @saddle/autograd also exports the tensor API, the tape and backward: the list holds the ops only.
    for (const name of Object.keys(OP_LIST)) expect((ag as Record<string, unknown>)[name], name).toBeDefined();
    for (const name of ['backward', 'param', 'noGrad', 'tensor', 'gradcheck']) expect(Object.keys(OP_LIST), name).not.toContain(name);
  });

  it('the rules call the recording wrapper of every recorded op, and the kernel itself for the others', () => {
    const rules = k as unknown as Record<string, unknown>;
    const ops = ag as unknown as Record<string, unknown>;
    const kernelOps = kernels as unknown as Record<string, unknown>;
    expect(RECORDING_OPS.length).toBeGreaterThan(50);
    for (const name of RECORDING_OPS) expect(rules[name], name).toBe(ops[name]);
    for (const name of Object.keys(OP_LIST).filter((n) => !(RECORDING_OPS as string[]).includes(n))) {
      if (name in kernelOps) expect(rules[name], name).toBe(kernelOps[name]);
    }
    // The wrappers differ from the kernels (a recorded op re-exported unwrapped would record nothing).
    for (const name of RECORDING_OPS) if (name !== 'unslice') expect(ops[name], name).not.toBe(kernelOps[name]);
  });

  it('the tensor methods are the ops not marked `no method`', () => {
    const proto = Tensor.prototype as unknown as Record<string, unknown>;
    const expected = Object.keys(OP_LIST)
      .filter((n) => !(NOT_METHODS as string[]).includes(n))
      .sort();
    expect([...TENSOR_METHOD_NAMES]).toEqual(expected);
    for (const name of NOT_METHODS) expect(proto[name], name).toBeUndefined();
  });

  it('every differentiable unary kernel has a rule, and the constant ones have none', () => {
    for (const name of Object.keys(kernels.UNARY_OPS)) {
      const constant = (OP_LIST as Record<string, string>)[name]?.startsWith('constant') ?? false;
      expect(name in UNARY_RULES, name).toBe(!constant);
    }
  });
});

// ---------------------------------------------------------------- what fails to compile
// Each `@ts-expect-error` below must be an error, or `tsc` fails on this file ("unused directive").

/** The list without one of its ops. */
const { neg: _neg, ...withoutNeg } = OP_LIST;
void _neg;
// @ts-expect-error an export of ops.ts missing from the list
void (withoutNeg satisfies OpListOf<OpsExport>);
// @ts-expect-error a name in the list that ops.ts does not export
void ({ ...OP_LIST, frobnicate: 'recorded' } as const satisfies OpListOf<OpsExport>);

/** The recording wrappers without one of them. */
const { matmul: _matmul, ...wrappersWithoutMatmul } = ag;
void _matmul;
// @ts-expect-error a recorded op without a wrapper
if (Math.random() > 2) installRecordingOps(wrappersWithoutMatmul);

/** A rule table missing a differentiable unary op, and one missing a binary op. */
const { tanh: _tanh, ...unaryWithoutTanh } = UNARY_RULES;
void _tanh;
// @ts-expect-error a differentiable unary kernel without a gradient rule
void (unaryWithoutTanh satisfies Record<DifferentiableUnary, UnaryRule>);
// @ts-expect-error a binary kernel that is not `constant` in the list needs a rule (greater is constant)
const greaterIsDifferentiable: DifferentiableBinary = 'greater';
void greaterIsDifferentiable;
/** A recorded op is one the list marks `recorded`. */
const recorded: RecordedOpName[] = ['matmul', 'unary', 'unslice'];
void recorded;
// @ts-expect-error rand is a constant, not a recorded op
const randIsRecorded: RecordedOpName = 'rand';
void randIsRecorded;
