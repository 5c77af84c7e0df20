/**
 * The kernel reader's peer table: for each WGSL kernel the reader lists, what tfjs does for the same
 * math, the cases the timing button runs (`small` ones first: the end-to-end test times all of them
 * on SwiftShader; `large` ones for a real GPU), and the same-math check. A kernel with no meaningful
 * peer says why instead (`none`).
 *
 * Work counted per call: `flops` is one operation per element for elementwise ops (transcendentals
 * too), so GFLOP/s compares the two libraries on one kernel, not kernels with each other; `bytes`
 * is what the op must read and write at least (GB/s).
 */
import * as K from '@saddle/ops';
import type { Tensor } from '@saddle/autograd';
import type * as TF from '@tensorflow/tfjs-core';
import {
  type BenchCase,
  type Instance,
  GAN_SHAPES,
  matmulCase,
  shapeLabel,
  type MatmulShape,
  MAXOUT_SHAPES,
  PIECES,
  UNITS,
  maxoutCase as benchMaxoutCase,
  type MaxoutShape,
  BCE_SHAPES,
  bceCase as benchBceCase,
  type BceShape,
  readJoined,
  readJoinedTf,
  CONV_SHAPES,
  convCase,
} from '@saddle/benchmarks';
import { Z_BOUND, intInput, opCase, saddleInput, statisticalCase, uniformInput, type CaseInput, type Statistic } from './op-case.js';

export interface Peer {
  /** What tfjs runs for the same math. */
  tfjs: string;
  /** The same-math check, in words (its bound included). */
  check: string;
  small: BenchCase[];
  large: BenchCase[];
}
export type PeerEntry = Peer | { none: string };

const SMALL = [256, 256];
const LARGE = [1024, 1024];
const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);
const fmt = (s: number[]) => `[${s.join(',')}]`;
/** Relative-error bounds: exact ops (a select, a copy, one IEEE operation) and f32 math libraries. */
const EXACT = 0;
const TRANSCENDENTAL = 1e-5;

const relCheck = (tol: number) => (tol === 0 ? 'bit-for-bit: max |saddle − tfjs| = 0' : `max |saddle − tfjs| / max(1, max |tfjs|) ≤ ${tol.toExponential(0)}`);
const peer = (tfjs: string, tol: number, make: (shape: number[]) => BenchCase[]): Peer => ({
  tfjs,
  check: relCheck(tol),
  small: make(SMALL),
  large: make(LARGE),
});

// ------------------------------------------------------------------ the benchmarks' own cases, with bytes

/**
 * `pnpm bench`'s maxout and bce cases, with the bytes they must move at least (GB/s): maxout reads
 * [B, units·pieces] and writes [B, units] values and argmaxes; its backward reads dy and writes dx;
 * the dropout mode also writes the mask; the layer mode counts its two products' flops. bce reads logits and targets; its backward writes dz.
 */
function maxoutCase(s: MaxoutShape): BenchCase {
  const [B, cols, units] = [s.batch, (s.units ?? UNITS) * (s.pieces ?? PIECES), s.units ?? UNITS];
  // The whole layer: its matmul and the product for dW dominate, 2·B·in·cols flops each.
  if (s.mode === 'layer') return { ...benchMaxoutCase(s), flops: 4 * B * (s.inFeatures ?? 784) * cols };
  const fwd = 4 * B * (cols + 2 * units);
  const bytes = s.mode === 'fwd' ? fwd : fwd + 4 * B * (units + cols) + (s.mode === 'dropout' ? 4 * B * units : 0);
  return { ...benchMaxoutCase(s), bytes };
}

function bceCase(s: BceShape): BenchCase {
  const n = s.rows * s.cols;
  return { ...benchBceCase(s), bytes: s.mode === 'fwd' ? 8 * n : 20 * n };
}

// ------------------------------------------------------------------ elementwise

type Unary = Exclude<K.UnaryOpName, 'copy'>;
const UNARY_PEERS: [Unary, (tf: typeof TF, x: TF.Tensor) => TF.Tensor, number][] = [
  ['sigmoid', (tf, x) => tf.sigmoid(x), TRANSCENDENTAL],
  ['relu', (tf, x) => tf.relu(x), EXACT],
  ['tanh', (tf, x) => tf.tanh(x), TRANSCENDENTAL],
  ['softplus', (tf, x) => tf.softplus(x), TRANSCENDENTAL],
  ['exp', (tf, x) => tf.exp(x), TRANSCENDENTAL],
  ['log1p', (tf, x) => tf.log1p(x), TRANSCENDENTAL],
  ['expm1', (tf, x) => tf.expm1(x), TRANSCENDENTAL],
];
const BINARY_PEERS: [K.BinaryOpName, (tf: typeof TF, a: TF.Tensor, b: TF.Tensor) => TF.Tensor][] = [
  ['add', (tf, a, b) => tf.add(a, b)],
  ['mul', (tf, a, b) => tf.mul(a, b)],
];

/** The elementwise op a case label names ('sigmoid [256,256]' -> 'sigmoid'), for the WGSL shown. */
export function elementwiseOpOf(label: string): string {
  return label.split(' ')[0]!;
}

function elementwiseCases(shape: number[]): BenchCase[] {
  const n = sizeOf(shape);
  // log1p's domain is x > -1: inputs in [-0.9, 3); the rest take [-3, 3).
  const unary = UNARY_PEERS.map(([name, tfOp, tol]) =>
    opCase({
      label: `${name} ${fmt(shape)}`,
      inputs: () => [uniformInput(shape, 11 + n, name === 'log1p' ? -0.9 : -3, 3)],
      saddle: ([x]) => K.unary(name, x!),
      tfjs: (tf, [x]) => tfOp(tf, x!),
      flops: n,
      bytes: 8 * n,
      tolerance: tol,
    }),
  );
  const binary = BINARY_PEERS.map(([name, tfOp]) =>
    opCase({
      label: `${name} ${fmt(shape)}`,
      inputs: () => [uniformInput(shape, 13 + n), uniformInput(shape, 17 + n)],
      saddle: ([a, b]) => K.binary(name, a!, b!),
      tfjs: (tf, [a, b]) => tfOp(tf, a!, b!),
      flops: n,
      bytes: 12 * n,
      tolerance: EXACT,
    }),
  );
  // The copy op reading a transposed view (strided reads, dense writes): tf.transpose.
  const transpose = opCase({
    label: `copy (transpose) ${fmt(shape)}`,
    inputs: () => [uniformInput(shape, 19 + n)],
    saddle: ([x]) => K.contiguous(K.transpose(x!)),
    tfjs: (tf, [x]) => tf.transpose(x!),
    flops: 0,
    bytes: 8 * n,
    tolerance: EXACT,
  });
  return [...unary, ...binary, transpose];
}

// ------------------------------------------------------------------ reductions, softmax, losses

function reduceCases(shape: number[]): BenchCase[] {
  const n = sizeOf(shape);
  const rows = shape[0]!;
  const input = () => [uniformInput(shape, 23 + n)];
  // A sum of `len` values in a different order: the error grows like √len · eps · |values|.
  const sumTol = 4 * 6e-8 * Math.sqrt(shape[1]!) * 4;
  return [
    opCase({
      label: `sum axis 1 ${fmt(shape)}`,
      inputs: input,
      saddle: ([x]) => K.sum(x!, 1),
      tfjs: (tf, [x]) => tf.sum(x!, 1),
      flops: n,
      bytes: 4 * (n + rows),
      tolerance: sumTol,
    }),
    opCase({
      label: `sum axis 0 ${fmt(shape)}`,
      inputs: input,
      saddle: ([x]) => K.sum(x!, 0),
      tfjs: (tf, [x]) => tf.sum(x!, 0),
      flops: n,
      bytes: 4 * (n + shape[1]!),
      tolerance: sumTol,
    }),
    opCase({
      label: `max axis 1 ${fmt(shape)}`,
      inputs: input,
      saddle: ([x]) => K.max(x!, 1),
      tfjs: (tf, [x]) => tf.max(x!, 1),
      flops: n,
      bytes: 4 * (n + rows),
      tolerance: EXACT,
    }),
  ];
}

function softmaxCases(shape: number[]): BenchCase[] {
  const n = sizeOf(shape);
  const input = () => [uniformInput(shape, 29 + n, -4, 4)];
  // max, subtract, exp, sum, divide (or subtract the log of the sum): about 5 operations per element.
  return [
    opCase({
      label: `softmax ${fmt(shape)}`,
      inputs: input,
      saddle: ([x]) => K.softmax(x!, -1),
      tfjs: (tf, [x]) => tf.softmax(x!, -1),
      flops: 5 * n,
      bytes: 8 * n,
      tolerance: TRANSCENDENTAL,
    }),
    opCase({
      label: `logSoftmax ${fmt(shape)}`,
      inputs: input,
      saddle: ([x]) => K.logSoftmax(x!, -1),
      tfjs: (tf, [x]) => tf.logSoftmax(x!, -1),
      flops: 5 * n,
      bytes: 8 * n,
      tolerance: TRANSCENDENTAL,
    }),
  ];
}

function crossEntropyCase([rows, classes]: number[]): BenchCase {
  const n = rows! * classes!;
  return opCase({
    label: `mean CE [${rows},${classes}] logits`,
    inputs: () => [uniformInput([rows!, classes!], 31 + n, -4, 4), intInput([rows!], 37 + n, classes!)],
    saddle: ([x, labels]) => K.crossEntropy(x!, labels!),
    // tfjs's API takes one-hot labels: made once in setup, not timed.
    tfjsPrepare: (tf, [, labels]) => [tf.cast(tf.oneHot(labels as TF.Tensor1D, classes!), 'float32')],
    tfjs: (tf, [x, , oneHot]) => tf.losses.softmaxCrossEntropy(oneHot!, x!),
    flops: 5 * n,
    bytes: 4 * (n + rows!),
    tolerance: TRANSCENDENTAL,
  });
}

// ------------------------------------------------------------------ products, indexing

function bmmCase([batch, m, k, n]: number[]): BenchCase {
  return opCase({
    label: `${batch} x ${m}x${k}x${n}`,
    inputs: () => [uniformInput([batch!, m!, k!], 41 + batch! * m!), uniformInput([batch!, k!, n!], 43 + batch! * n!)],
    saddle: ([a, b]) => K.bmm(a!, b!),
    tfjs: (tf, [a, b]) => tf.matMul(a!, b!),
    flops: 2 * batch! * m! * k! * n!,
    bytes: 4 * batch! * (m! * k! + k! * n! + m! * n!),
    tolerance: 1e-5 * Math.max(16, Math.sqrt(k!) * 4),
  });
}

function splitKCase(m: number, k: number, n: number, parts: number): BenchCase {
  return opCase({
    label: `${m}x${k}x${n}, K in ${parts} parts`,
    inputs: () => [uniformInput([m, k], 47 + k), uniformInput([k, n], 53 + k)],
    saddle: ([a, b]) => K.matmul(a!, b!, { splitK: parts }),
    tfjs: (tf, [a, b]) => tf.matMul(a!, b!),
    flops: 2 * m * k * n,
    bytes: 4 * (m * k + k * n + m * n),
    tolerance: 1e-5 * Math.max(16, Math.sqrt(k) * 4),
  });
}

function gatherCase([rows, cols]: number[]): BenchCase {
  const n = rows! * cols!;
  return opCase({
    label: `${rows} rows of ${fmt([rows!, cols!])}`,
    inputs: () => [uniformInput([rows!, cols!], 59 + n), intInput([rows!], 61 + n, rows!)],
    saddle: ([x, idx]) => K.gather(x!, idx!, 0),
    tfjs: (tf, [x, idx]) => tf.gather(x!, idx!, 0),
    flops: 0,
    bytes: 8 * n + 4 * rows!,
    tolerance: EXACT,
  });
}

function whereCase(shape: number[]): BenchCase {
  const n = sizeOf(shape);
  return opCase({
    label: `where ${fmt(shape)}`,
    inputs: () => [{ shape, values: uniformInput(shape, 67 + n).values.map((v) => (v > 0 ? 1 : 0)) }, uniformInput(shape, 71 + n), uniformInput(shape, 73 + n)],
    saddle: ([c, a, b]) => K.where(c!, a!, b!),
    // tf.where takes a bool condition: cast once in setup, not timed.
    tfjsPrepare: (tf, [c]) => [tf.cast(c!, 'bool')],
    tfjs: (tf, [, a, b, c]) => tf.where(c!, a!, b!),
    flops: n,
    bytes: 16 * n,
    tolerance: EXACT,
  });
}

function parametricCases(shape: number[]): BenchCase[] {
  const n = sizeOf(shape);
  const input = () => [uniformInput(shape, 79 + n, -3, 3)];
  return [
    opCase({
      label: `clamp(x, -1, 2) ${fmt(shape)}`,
      inputs: input,
      saddle: ([x]) => K.clamp(x!, -1, 2),
      tfjs: (tf, [x]) => tf.clipByValue(x!, -1, 2),
      flops: 2 * n,
      bytes: 8 * n,
      tolerance: EXACT,
    }),
    opCase({
      label: `leakyRelu(x, 0.2) ${fmt(shape)}`,
      inputs: input,
      saddle: ([x]) => K.leakyRelu(x!, 0.2),
      tfjs: (tf, [x]) => tf.leakyRelu(x!, 0.2),
      flops: 2 * n,
      bytes: 8 * n,
      tolerance: EXACT,
    }),
  ];
}

function concatCases([rows, cols]: number[]): BenchCase[] {
  const half = [rows! / 2, cols!];
  const n = rows! * cols!;
  const inputs = () => [uniformInput(half, 83 + n), uniformInput(half, 89 + n)];
  return [0, 1].map((axis) =>
    opCase({
      label: `concat 2 x ${fmt(half)} axis ${axis}`,
      inputs,
      saddle: ([a, b]) => K.concat([a!, b!], axis),
      tfjs: (tf, [a, b]) => tf.concat([a!, b!], axis),
      flops: 0,
      bytes: 8 * n,
      tolerance: EXACT,
    }),
  );
}

/** The bytes a product must move at least: A and B read, C written (and the bias read). */
const matmulBytes = (s: MatmulShape) => 4 * (s.m * s.k + s.k * s.n + s.m * s.n + (s.bias ? s.n : 0));

/** `pnpm bench`'s matmul case, with its bytes (for GB/s and the arithmetic intensity). */
const benchMatmulCase = (s: MatmulShape): BenchCase => ({ ...matmulCase(s), bytes: matmulBytes(s) });

/**
 * matmul's cases with a configuration forced (the reader's tiling, split-K and wasm macro-tile
 * choices): the shapes, labels, work and check of PEERS.matmul's cases, the product run with `opts`.
 */
function configuredMatmulCase(s: MatmulShape, opts: K.MatmulOptions): BenchCase {
  const { m, k, n, transA = false, transB = false, activation = 'none' } = s;
  return opCase({
    label: shapeLabel(s),
    inputs: () => [
      uniformInput(transA ? [k, m] : [m, k], 1 + m * 7 + k),
      uniformInput(transB ? [n, k] : [k, n], 2 + k * 13 + n),
      ...(s.bias ? [uniformInput([n], 3 + n)] : []),
    ],
    saddle: ([a, b, bias]) => K.matmul(a!, b!, { transA, transB, bias, activation, ...opts }),
    tfjs: (tf, [a, b, bias]) => {
      const y = tf.matMul(a!, b!, transA, transB);
      const z = bias ? tf.add(y, bias) : y;
      return activation === 'relu' ? tf.relu(z) : activation === 'sigmoid' ? tf.sigmoid(z) : z;
    },
    flops: 2 * m * n * k,
    bytes: matmulBytes(s),
    tolerance: 1e-5 * Math.max(16, Math.sqrt(k) * 4),
  });
}

const SMALL_MATMULS: MatmulShape[] = [{ group: 'square', m: 256, k: 256, n: 256 }];
const LARGE_MATMULS: MatmulShape[] = [512, 1024].map((x): MatmulShape => ({ group: 'square', m: x, k: x, n: x })).concat(GAN_SHAPES);

/** PEERS.matmul's cases, in its order, with `opts` forced on saddle's product. */
export function configuredMatmulCases(opts: K.MatmulOptions): BenchCase[] {
  return [...SMALL_MATMULS, ...LARGE_MATMULS].map((s) => configuredMatmulCase(s, opts));
}

// ------------------------------------------------------------------ the optimizer (in place)

const SGD_HP = { lr: 0.05, momentum: 0.5, weightDecay: 1e-3 };

/**
 * SGD with momentum and weight decay, in place: v = m·v − lr·(g + wd·p), p = p + v. tfjs does the
 * same arithmetic with ops and `Variable.assign`. Timed calls keep updating the same state; the
 * check's call starts from fresh copies of the initial p and v, so both libraries update the same numbers.
 */
function sgdCase(shape: number[]): BenchCase {
  const n = sizeOf(shape);
  let data: CaseInput[] | null = null;
  const get = () => (data ??= [uniformInput(shape, 97 + n), uniformInput(shape, 101 + n), uniformInput(shape, 103 + n, -0.1, 0.1)]);
  const tfUpdate = (tf: typeof TF, p: TF.Variable, g: TF.Tensor, v: TF.Variable) =>
    tf.tidy(() => {
      const vNew = tf.sub(tf.mul(v, SGD_HP.momentum), tf.mul(tf.add(g, tf.mul(p, SGD_HP.weightDecay)), SGD_HP.lr));
      v.assign(vNew);
      p.assign(tf.add(p, vNew));
    });
  return {
    label: `one tensor ${fmt(shape)}`,
    params: { elements: n, ...SGD_HP },
    flops: 6 * n,
    bytes: 20 * n,
    tolerance: 1e-6,
    saddle: ({ device }): Instance => {
      const [p, g, v] = get().map((x) => saddleInput(x, device));
      return {
        run: () => K.sgdMomentumUpdate(p!, g!, v!, SGD_HP),
        output: async () => {
          const [p1, v1] = [get()[0]!, get()[2]!].map((x) => saddleInput(x, device)) as [Tensor, Tensor];
          K.sgdMomentumUpdate(p1, g!, v1, SGD_HP);
          try {
            return await readJoined([p1, v1]);
          } finally {
            p1.dispose();
            v1.dispose();
          }
        },
        dispose: () => [p, g, v].forEach((t) => t!.dispose()),
      };
    },
    tfjs: ({ tf }): Instance => {
      const [pd, gd, vd] = get();
      const p = tf.variable(tf.tensor(pd!.values, shape));
      const v = tf.variable(tf.tensor(vd!.values, shape));
      const g = tf.tensor(gd!.values, shape);
      return {
        run: () => tfUpdate(tf, p, g, v),
        output: async () => {
          const [p1, v1] = [tf.variable(tf.tensor(pd!.values, shape)), tf.variable(tf.tensor(vd!.values, shape))];
          tfUpdate(tf, p1, g, v1);
          try {
            return await readJoinedTf([p1, v1]);
          } finally {
            p1.dispose();
            v1.dispose();
          }
        },
        dispose: () => [p, g, v].forEach((t) => t.dispose()),
      };
    },
  };
}

// ------------------------------------------------------------------ random draws (statistics)

/** sd of the difference of a proportion p between two independent samples of n. */
const propSd = (p: number, n: number) => Math.sqrt((2 * p * (1 - p)) / n);
const mean = (x: Float32Array) => x.reduce((a, b) => a + b, 0) / x.length;
const variance = (x: Float32Array) => {
  const m = mean(x);
  return x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length;
};
const fraction = (x: Float32Array, f: (v: number) => boolean) => x.reduce((a, v) => a + (f(v) ? 1 : 0), 0) / x.length;

export function uniformStats(n: number): Statistic[] {
  return [
    { name: 'mean', of: mean, sd: Math.sqrt(2 / (12 * n)) },
    // Var of a sample variance of U[0,1): (μ4 − σ⁴)/n = (1/80 − 1/144)/n.
    { name: 'variance', of: variance, sd: Math.sqrt((2 * (1 / 80 - 1 / 144)) / n) },
    { name: 'P(x < 0.1)', of: (x) => fraction(x, (v) => v < 0.1), sd: propSd(0.1, n) },
    { name: 'outside [0, 1)', of: (x) => fraction(x, (v) => !(v >= 0 && v < 1)), sd: 0 },
  ];
}

export function normalStats(n: number): Statistic[] {
  const p1 = 0.6826894921;
  return [
    { name: 'mean', of: mean, sd: Math.sqrt(2 / n) },
    // Var of a sample variance of N(0,1): 2σ⁴/n.
    { name: 'variance', of: variance, sd: Math.sqrt((2 * 2) / n) },
    { name: 'P(|x| < 1)', of: (x) => fraction(x, (v) => Math.abs(v) < 1), sd: propSd(p1, n) },
    // P(|x| > 8) is 1e-15 per draw: any such value (or a non-finite one) is a bug.
    { name: 'not finite or |x| > 8', of: (x) => fraction(x, (v) => !(Math.abs(v) <= 8)), sd: 0 },
  ];
}

const KEEP = 0.5;
export function dropoutStats(n: number): Statistic[] {
  return [
    { name: 'P(dropped)', of: (x) => fraction(x, (v) => v === 0), sd: propSd(1 - KEEP, n) },
    { name: 'neither 0 nor x / keep', of: (x) => fraction(x, (v) => v !== 0 && v !== 1 / KEEP), sd: 0 },
  ];
}

function randomCases(shape: number[]): BenchCase[] {
  const n = sizeOf(shape);
  return [
    statisticalCase({
      label: `rand ${fmt(shape)}`,
      inputs: () => [],
      saddle: (_, device) => K.rand(shape, { device }),
      tfjs: (tf) => tf.randomUniform(shape),
      flops: 0,
      bytes: 4 * n,
      stats: uniformStats(n),
    }),
    statisticalCase({
      label: `randn ${fmt(shape)}`,
      inputs: () => [],
      saddle: (_, device) => K.randn(shape, { device }),
      tfjs: (tf) => tf.randomNormal(shape),
      flops: 0,
      bytes: 4 * n,
      stats: normalStats(n),
    }),
  ];
}

function dropoutCase(shape: number[]): BenchCase {
  const n = sizeOf(shape);
  return statisticalCase({
    label: `keep ${KEEP} ${fmt(shape)}`,
    inputs: () => [{ shape, values: new Float32Array(n).fill(1) }],
    saddle: ([x]) => {
      const { out, mask } = K.dropout(x!, KEEP);
      mask.dispose();
      return out;
    },
    tfjs: (tf, [x]) => tf.dropout(x!, 1 - KEEP),
    flops: n,
    // saddle writes the mask too (backward needs it): read x, write out and mask.
    bytes: 12 * n,
    stats: dropoutStats(n),
  });
}

const statCheck = (what: string) =>
  `no same-bits peer (saddle draws from Philox 4x32-10 on the GPU; tfjs draws in JavaScript and uploads), so the check compares ${what} of the two samples: ` +
  `the largest |difference| / (its standard deviation for two independent samples) ≤ ${Z_BOUND}; a value out of range fails outright`;

// ------------------------------------------------------------------ the table

export const PEERS: Record<string, PeerEntry> = {
  matmul: {
    tfjs: 'tf.matMul',
    check: 'max |saddle − tfjs| / max(1, max |tfjs|) ≤ 1e-5 · max(16, 4√K)',
    small: SMALL_MATMULS.map(benchMatmulCase),
    large: LARGE_MATMULS.map(benchMatmulCase),
  },
  'split-K reduce': {
    tfjs: 'tf.matMul',
    check: 'max |saddle − tfjs| / max(1, max |tfjs|) ≤ 1e-5 · max(16, 4√K)',
    small: [splitKCase(64, 2048, 64, 4)],
    large: [splitKCase(128, 16384, 128, 16)],
  },
  'matmul (subgroup matrix, f16)': {
    none: 'needs the chromium-experimental-subgroup-matrix and shader-f16 features (not offered to pages, nor by SwiftShader), and tfjs-webgpu has no f16 matmul to compare with',
  },
  maxout: {
    tfjs: 'tf.max(tf.reshape(x, [B, 240, 5]), -1), and tf.valueAndGrad of it',
    check: relCheck(1e-6),
    small: MAXOUT_SHAPES.filter((s) => s.batch === 100 && (s.mode === 'fwd' || s.mode === 'fwd+bwd')).map(maxoutCase),
    large: MAXOUT_SHAPES.filter((s) => s.mode !== 'dropout' && !(s.batch === 100 && (s.mode === 'fwd' || s.mode === 'fwd+bwd'))).map(maxoutCase),
  },
  'maxout + dropout': {
    tfjs: "reshape + max, then tf.dropout's recipe (floor(U + keep) / keep); for the check, the mask saddle's Philox stream gives on the CPU",
    check: relCheck(1e-6),
    small: MAXOUT_SHAPES.filter((s) => s.mode === 'dropout' && s.batch === 100).map(maxoutCase),
    large: MAXOUT_SHAPES.filter((s) => s.mode === 'dropout' && s.batch !== 100).map(maxoutCase),
  },
  'conv2d, convTranspose2d': {
    tfjs: 'tf.conv2d / tf.conv2dTranspose (NHWC: inputs transposed once, untimed), and tf.grads of them',
    check: 'max |saddle − tfjs| / max(1, max |tfjs|) ≤ 1e-5 · max(16, 4√(terms per value)), after transposing tfjs back to NCHW',
    // pnpm bench conv's cases: D's first layer of the conv GAN preset (0.15 s a call on lavapipe), then the rest.
    small: [convCase(CONV_SHAPES[0]!, 'fwd')],
    large: CONV_SHAPES.flatMap((c, i) => (i === 0 ? [convCase(c, 'bwd')] : [convCase(c, 'fwd'), convCase(c, 'bwd')])),
  },
  'sigmoid cross-entropy': {
    tfjs: 'tf.losses.sigmoidCrossEntropy, and tf.valueAndGrad of it',
    check: 'max |saddle − tfjs| / max(1, max |tfjs|) ≤ max(1e-5, 2.4e-7 · √n)',
    small: BCE_SHAPES.filter((s) => s.rows === 100 && s.cols === 1).map(bceCase),
    large: BCE_SHAPES.filter((s) => !(s.rows === 100 && s.cols === 1)).map(bceCase),
  },
  reduce: {
    tfjs: 'tf.sum / tf.max along an axis',
    check: 'sums: max |saddle − tfjs| / max(1, max |tfjs|) ≤ 9.6e-7 · √len; max: bit-for-bit',
    small: reduceCases(SMALL),
    large: reduceCases(LARGE),
  },
  elementwise: {
    tfjs: 'tf.sigmoid, tf.relu, tf.tanh, tf.softplus, tf.exp, tf.log1p, tf.expm1, tf.add, tf.mul, tf.transpose',
    check: `transcendentals: ${relCheck(TRANSCENDENTAL)}; relu, add, mul and the copy: bit-for-bit`,
    small: elementwiseCases(SMALL),
    large: elementwiseCases(LARGE),
  },
  'clamp, leakyRelu': peer('tf.clipByValue, tf.leakyRelu', EXACT, parametricCases),
  softmax: peer('tf.softmax, tf.logSoftmax (last axis)', TRANSCENDENTAL, softmaxCases),
  'cross-entropy': {
    tfjs: 'tf.losses.softmaxCrossEntropy with one-hot labels (made once, untimed)',
    check: relCheck(TRANSCENDENTAL),
    small: [crossEntropyCase([1024, 10])],
    large: [crossEntropyCase([8192, 100])],
  },
  bmm: {
    tfjs: 'tf.matMul on rank-3 tensors',
    check: 'max |saddle − tfjs| / max(1, max |tfjs|) ≤ 1e-5 · max(16, 4√K)',
    small: [bmmCase([8, 64, 64, 64])],
    large: [bmmCase([32, 128, 128, 128])],
  },
  'gather, scatterAdd': {
    tfjs: 'tf.gather (axis 0)',
    check: relCheck(EXACT) + ' (gather; scatterAdd is its gradient, timed by nothing here)',
    small: [gatherCase([4096, 64])],
    large: [gatherCase([16384, 256])],
  },
  where: peer('tf.where with a bool condition (cast once, untimed)', EXACT, (s) => [whereCase(s)]),
  'SGD with momentum': {
    tfjs: 'the same arithmetic in tf ops and Variable.assign',
    check: relCheck(1e-6),
    small: [sgdCase(SMALL)],
    large: [sgdCase([784, 1200])],
  },
  random: {
    tfjs: 'tf.randomUniform, tf.randomNormal',
    check: statCheck('the mean, the variance, one tail fraction and the range'),
    small: randomCases(SMALL),
    large: randomCases(LARGE),
  },
  dropout: {
    tfjs: 'tf.dropout (rate 0.5) on ones',
    check: statCheck('the fraction dropped and the kept values (exactly x / keep)'),
    small: [dropoutCase(SMALL)],
    large: [dropoutCase(LARGE)],
  },
  'strided copy': peer('tf.concat', EXACT, concatCases),
};
