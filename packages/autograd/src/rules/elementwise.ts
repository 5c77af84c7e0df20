import { Tensor, zerosLike, type Shape } from '@saddle/tensor';
import { k, unbroadcast } from './common.js';
import type { UnaryOpName, BinaryOpName } from '@saddle/ops';
import type { Rule, Saved } from '../tape.js';
import type { ConstantOpName } from '../op-list.js';

/**
 * Gradient rules of the elementwise ops. A unary rule multiplies the incoming gradient by the
 * derivative, written with whichever of the input x or the output y gives it most cheaply
 * (sigmoid' = y(1 - y) needs no exp). Binary ops broadcast, so each operand's gradient is summed
 * back to the operand's shape (`unbroadcast`).
 */

/** A unary op's gradient from g and the saved value (x or y, as `saves` says). */
export interface UnaryRule {
  saves: 'x' | 'y' | 'nothing';
  grad: (g: Tensor, s: Tensor) => Tensor;
}

/** Gradient rules of log1p, expm1 and logSigmoid (spread into UNARY_RULES), in recording ops. */
const SPECIAL_UNARY_RULES = {
  // d log(1 + x) = 1 / (1 + x).
  log1p: { saves: 'x', grad: (g: Tensor, x: Tensor) => k.div(g, k.add(x, 1)) },
  // d (exp(x) - 1) = exp(x) = y + 1.
  expm1: { saves: 'y', grad: (g: Tensor, y: Tensor) => k.mul(g, k.add(y, 1)) },
  // d log σ(x) = 1 - σ(x) = σ(-x).
  logSigmoid: { saves: 'x', grad: (g: Tensor, x: Tensor) => k.mul(g, k.sigmoid(k.neg(x))) },
} satisfies Record<string, UnaryRule>;

/**
 * The unary kernels (@saddle/ops UNARY_OPS) with a gradient: all but the op list's `constant` ones
 * (logicalNot: piecewise constant, never recorded). A new kernel without a rule here fails to compile.
 */
export type DifferentiableUnary = Exclude<UnaryOpName, ConstantOpName>;

/** Every unary op but the constant ones (op-list.ts). */
export const UNARY_RULES: Record<DifferentiableUnary, UnaryRule> = {
  ...SPECIAL_UNARY_RULES,
  copy: { saves: 'nothing', grad: (g) => g },
  neg: { saves: 'nothing', grad: (g) => k.neg(g) },
  // d|x| = k.sign(x): 0 at x = 0, the midpoint of the one-sided slopes (what central differences see).
  abs: { saves: 'x', grad: (g, x) => k.mul(g, k.sign(x)) },
  // Piecewise constant: the gradient is 0 wherever it exists.
  sign: { saves: 'nothing', grad: (g) => zerosLike(g) },
  step: { saves: 'nothing', grad: (g) => zerosLike(g) },
  square: { saves: 'x', grad: (g, x) => k.mul(g, k.mul(x, 2)) },
  exp: { saves: 'y', grad: (g, y) => k.mul(g, y) },
  log: { saves: 'x', grad: (g, x) => k.div(g, x) },
  sqrt: { saves: 'y', grad: (g, y) => k.div(k.mul(g, 0.5), y) },
  // d(1/x) = -1/x² = -y².
  reciprocal: { saves: 'y', grad: (g, y) => k.neg(k.mul(g, k.square(y))) },
  // relu'(x) = 1 where x > 0, and y > 0 exactly there.
  relu: { saves: 'y', grad: (g, y) => k.mul(g, k.step(y)) },
  sigmoid: { saves: 'y', grad: (g, y) => k.mul(g, k.mul(y, k.sub(1, y))) },
  tanh: { saves: 'y', grad: (g, y) => k.mul(g, k.sub(1, k.square(y))) },
  // softplus'(x) = k.sigmoid(x).
  softplus: { saves: 'x', grad: (g, x) => k.mul(g, k.sigmoid(x)) },
};

/** The rule for unary op `name`; `saved` is [x or y]. */
export function unaryRule(name: DifferentiableUnary): Rule {
  let rule = unaryRules.get(name);
  if (!rule) {
    const r = UNARY_RULES[name];
    rule = (g, saved) => [r.grad(g, saved[0] as Tensor)];
    unaryRules.set(name, rule);
  }
  return rule;
}

const unaryRules = new Map<DifferentiableUnary, Rule>();

type Operand = Tensor | number;

/**
 * The gradient of each differentiable binary op, before unbroadcasting: da and db as functions of
 * g, the operands and the output (each called only if that operand needs a gradient). `saves`
 * names what the rule reads, so the op saves nothing else.
 */
const BINARY: Record<
  DifferentiableBinary,
  {
    saves: readonly ('a' | 'b' | 'y')[];
    da: (g: Tensor, a: Operand, b: Operand, y: Tensor) => Tensor;
    db: (g: Tensor, a: Operand, b: Operand, y: Tensor) => Tensor;
  }
> = {
  add: { saves: [], da: (g) => g, db: (g) => g },
  sub: { saves: [], da: (g) => g, db: (g) => k.neg(g) },
  mul: { saves: ['a', 'b'], da: (g, _a, b) => k.mul(g, b), db: (g, a) => k.mul(g, a) },
  // d(a/b)/db = -a/b² = -y/b.
  div: { saves: ['b', 'y'], da: (g, _a, b) => k.div(g, b), db: (g, _a, b, y) => k.neg(k.div(k.mul(g, y), b)) },
  // Ties split the gradient evenly: the midpoint of the one-sided slopes, which is what central
  // differences measure there (and keeps da + db = g).
  maximum: { saves: ['a', 'b'], da: (g, a, b) => k.mul(g, winShare(a, b)), db: (g, a, b) => k.mul(g, winShare(b, a)) },
  minimum: { saves: ['a', 'b'], da: (g, a, b) => k.mul(g, winShare(b, a)), db: (g, a, b) => k.mul(g, winShare(a, b)) },
  // d(a^b)/da = b·a^(b-1); d(a^b)/db = a^b·log(a) (defined for a > 0, like the forward op on WebGPU).
  pow: {
    saves: ['a', 'b', 'y'],
    da: (g, a, b) => k.mul(g, k.mul(b, k.pow(a, typeof b === 'number' ? b - 1 : k.sub(b, 1)))),
    db: (g, a, _b, y) => k.mul(g, k.mul(y, typeof a === 'number' ? Math.log(a) : k.log(a))),
  },
};

/** 1 where a > b, 0.5 where a == b, 0 where a < b. */
function winShare(a: Operand, b: Operand): Tensor {
  return k.add(k.greater(a, b), k.mul(k.equal(a, b), 0.5));
}

/**
 * The binary kernels (@saddle/ops BINARY_OPS) with a gradient: all but the op list's `constant` ones
 * (the comparisons and logical ops). A new kernel without a rule in BINARY fails to compile.
 */
export type DifferentiableBinary = Exclude<BinaryOpName, ConstantOpName>;

/** Whether unary op `name` has a gradient (is recorded). */
export function isDifferentiableUnary(name: UnaryOpName): name is DifferentiableUnary {
  return name in UNARY_RULES;
}

export function isDifferentiableBinary(name: BinaryOpName): name is DifferentiableBinary {
  return name in BINARY;
}

/** What `name`'s rule saves, as [a, b, y] with null for what it does not read (numbers are kept). */
export function binarySaves(name: DifferentiableBinary, a: Operand, b: Operand, y: Tensor): Saved[] {
  const s = BINARY[name].saves;
  return [s.includes('a') || typeof a === 'number' ? a : null, s.includes('b') || typeof b === 'number' ? b : null, s.includes('y') ? y : null];
}

/** The rule for binary op `name` with operands of shapes `aShape` and `bShape`; `saved` is binarySaves(...). */
export function binaryRule(name: DifferentiableBinary, aShape: Shape, bShape: Shape): Rule {
  const r = BINARY[name];
  return (g, saved, needs) => {
    const [a, b, y] = saved as [Operand, Operand, Tensor];
    return [needs[0] ? unbroadcast(r.da(g, a, b, y), aShape) : null, needs[1] ? unbroadcast(r.db(g, a, b, y), bShape) : null];
  };
}
