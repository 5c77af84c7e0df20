/**
 * Benchmark cases for the kernel reader, built from a description of one op: its inputs (made once,
 * resident on the runner's device), the saddle call, the tfjs call doing the same math, the work of
 * one call, and the same-math check. The cases run in the benchmarks' own harness
 * (benchmarks/src/harness.ts: first call, calibration, warm-up reps, timed reps interleaved between
 * the two runners, the median; each rep ends by waiting for the GPU queue to drain).
 *
 * Two kinds of check:
 * - `opCase`: both outputs read back; the largest |saddle − tfjs| / max(1, max |tfjs|) within the
 *   case's tolerance (the harness's relativeError).
 * - `statisticalCase`, for random draws, where no two libraries share bits (saddle's Philox stream
 *   against tfjs's generator): each runner's output is a vector of statistics of its draws (moments,
 *   fractions), and the check is the largest z-score of their difference, |s − r| / sd, where sd is
 *   the standard deviation of that difference for two independent samples of the stated size. A
 *   statistic with sd 0 is a hard requirement (a value out of range): any difference fails.
 */
import { fromArray, type Device, type Tensor } from '@saddle/autograd';
import type * as TF from '@tensorflow/tfjs-core';
import { type BenchCase, type Instance, readJoined, readJoinedTf, uniformData } from '@saddle/benchmarks';

/** One input of a case: its shape and values (f32, or i32 for indices and labels). */
export interface CaseInput {
  shape: number[];
  values: Float32Array | Int32Array;
}

/** Uniform values in [lo, hi), from the benchmarks' deterministic generator. */
export function uniformInput(shape: number[], seed: number, lo = -1, hi = 1): CaseInput {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, values: uniformData(n, seed).map((u) => lo + ((u + 1) / 2) * (hi - lo)) };
}

/** Integers in [0, range) (indices, class labels). */
export function intInput(shape: number[], seed: number, range: number): CaseInput {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = uniformData(n, seed);
  return { shape, values: Int32Array.from(u, (v) => Math.min(range - 1, Math.floor(((v + 1) / 2) * range))) };
}

type Outputs<T> = T | T[];
const list = <T>(x: Outputs<T>): T[] => (Array.isArray(x) ? x : [x]);

export interface OpCaseSpec {
  label: string;
  inputs: () => CaseInput[];
  /** One call of the saddle kernel on the device-resident inputs. */
  saddle: (xs: Tensor[], device: Device) => Outputs<Tensor>;
  /** The same math in tfjs (ops only; a conversion its API needs, such as one-hot labels, goes in `tfjsPrepare`). */
  tfjs: (tf: typeof TF, xs: TF.Tensor[]) => Outputs<TF.Tensor>;
  /** Extra tfjs inputs made once in setup, untimed (appended to xs). */
  tfjsPrepare?: (tf: typeof TF, xs: TF.Tensor[]) => TF.Tensor[];
  /** Floating-point operations of one call (0 for pure data movement) and bytes it must move at least. */
  flops: number;
  bytes: number;
  tolerance: number;
  /** The check's measure, when not the relative error (see statisticalCase). */
  compare?: BenchCase['compare'];
}

/** An input as a saddle tensor on `device`. */
export function saddleInput(x: CaseInput, device: Device): Tensor {
  return fromArray(x.values, x.shape, { device });
}

function saddleInputs(inputs: CaseInput[], device: Device): Tensor[] {
  return inputs.map((x) => saddleInput(x, device));
}

function tfInputs(tf: typeof TF, inputs: CaseInput[]): TF.Tensor[] {
  return inputs.map((x) => tf.tensor(x.values, x.shape, x.values instanceof Int32Array ? 'int32' : 'float32'));
}

/** A case from a pure op: every call reads the same inputs and writes fresh outputs. */
export function opCase(spec: OpCaseSpec): BenchCase {
  let inputs: CaseInput[] | null = null;
  const data = () => (inputs ??= spec.inputs());
  return {
    label: spec.label,
    params: {
      shapes: data()
        .map((x) => `[${x.shape.join(',')}]`)
        .join(' '),
    },
    flops: spec.flops > 0 ? spec.flops : undefined,
    bytes: spec.bytes,
    tolerance: spec.tolerance,
    compare: spec.compare,
    saddle: ({ device }): Instance => {
      const xs = saddleInputs(data(), device);
      return instance(() => list(spec.saddle(xs, device)), readJoined, xs);
    },
    tfjs: ({ tf }): Instance => {
      const own = tfInputs(tf, data());
      const xs = [...own, ...(spec.tfjsPrepare?.(tf, own) ?? [])];
      return instance(() => list(spec.tfjs(tf, xs)), readJoinedTf, xs);
    },
  };
}

/** An instance that calls `once` (its outputs disposed), reads one call's outputs for the check, and owns `inputs`. */
function instance<T extends { dispose(): void }>(once: () => T[], read: (ts: T[]) => Promise<Float32Array>, inputs: T[]): Instance {
  return {
    run: () => once().forEach((t) => t.dispose()),
    output: async () => {
      const ts = once();
      try {
        return await read(ts);
      } finally {
        ts.forEach((t) => t.dispose());
      }
    },
    dispose: () => inputs.forEach((t) => t.dispose()),
  };
}

/** A statistic of a sample and the standard deviation of the difference of two independent samples' values (0: must be equal). */
export interface Statistic {
  name: string;
  of: (x: Float32Array) => number;
  sd: number;
}

/** The largest z-score over the statistics (Infinity for a hard one that differs). */
export function maxZ(stats: readonly Statistic[]): (x: Float32Array, ref: Float32Array) => number {
  return (x, ref) => {
    let worst = 0;
    stats.forEach((s, i) => {
      const d = Math.abs(x[i]! - ref[i]!);
      const z = s.sd > 0 ? d / s.sd : d > 0 || Number.isNaN(d) ? Infinity : 0;
      worst = Math.max(worst, Number.isNaN(z) ? Infinity : z);
    });
    return worst;
  };
}

/** The bound on the largest z-score: a false alarm on a few statistics about once in a million runs. */
export const Z_BOUND = 5;

/**
 * A case of a random op: the output read back is `stats` of the draws (the first output's values),
 * and the check is `maxZ(stats) <= Z_BOUND`.
 */
export function statisticalCase(spec: Omit<OpCaseSpec, 'tolerance' | 'compare'> & { stats: Statistic[] }): BenchCase {
  const c = opCase({ ...spec, tolerance: Z_BOUND, compare: maxZ(spec.stats) });
  const summarize = (inst: Instance): Instance => ({
    ...inst,
    output: async () => {
      const all = await inst.output!();
      return Float32Array.from(spec.stats, (s) => s.of(all));
    },
  });
  return { ...c, saddle: (ctx) => summarize(c.saddle!(ctx)), tfjs: (ctx) => summarize(c.tfjs!(ctx)) };
}
