import { SaddleError, Tensor, cpu, fmtShape, fromArray, isFloat, shapesEqual, sizeOf, tidy, type DType, type Device } from '@saddle/tensor';
import { noGrad } from './grad-mode.js';
import { runBackward } from './backward.js';
import { requiresGrad } from './tape.js';

/** Options of `gradcheck`: step size and tolerances. */
export interface GradcheckOptions {
  /** Where the analytic gradient (backward) runs. Default: the device of the first input. */
  device?: Device;
  /** The dtype of the analytic run. Default: f64 on the CPU (a tight check of the rules), f32 on WebGPU. */
  dtype?: 'f32' | 'f64';
  /** Step of the central differences (in float64). */
  eps?: number;
  /** Absolute tolerance: gradients smaller than atol/rtol are judged by their absolute error. */
  atol?: number;
  /** Relative tolerance. */
  rtol?: number;
  /** The inputs to check (default: every floating-point input). */
  wrt?: readonly number[];
  /** Seed of the fixed random projection that reduces a non-scalar output to a scalar. */
  seed?: number;
  /** Throw a GradcheckError (its message is the report) instead of returning a failed report. */
  throwOnFailure?: boolean;
}

/** One element of one input's gradient. */
export interface GradcheckElement {
  /** Which input (its position in `inputs`). */
  input: number;
  /** Its index in the input, one coordinate per dim. */
  index: number[];
  flatIndex: number;
  analytic: number;
  numeric: number;
  /** |analytic − numeric| / max(|numeric|, atol / rtol). */
  relError: number;
}

/** The comparison for one input of `gradcheck`. */
export interface GradcheckInputReport {
  input: number;
  shape: number[];
  maxRelError: number;
  /** Elements whose relative error exceeds rtol. */
  failures: number;
  worst: GradcheckElement | null;
}

/** What `gradcheck` found: per input, the worst difference between analytic and numeric gradients. */
export interface GradcheckReport {
  ok: boolean;
  maxRelError: number;
  /** The element with the largest relative error over all checked inputs. */
  worst: GradcheckElement | null;
  inputs: GradcheckInputReport[];
  device: string;
  dtype: DType;
  eps: number;
  atol: number;
  rtol: number;
  /** The output had more than one element: what was checked is the gradient of <P, f(x)> for a fixed random P. */
  projected: boolean;
  /** The report as text (what a failure throws). */
  summary: string;
}

export class GradcheckError extends SaddleError {
  constructor(readonly report: GradcheckReport) {
    super('gradcheck', report.summary);
    this.name = 'GradcheckError';
  }
}

/**
 * Checks the gradient of `fn` at `inputs` against finite differences.
 *
 * - Numeric: central differences (f(x + eps) − f(x − eps)) / 2eps, one element at a time, with
 *   every input copied to the CPU as float64 (the CPU reference kernels, in double precision).
 * - Analytic: one backward pass on `device`, in `dtype` (f32 on WebGPU).
 * - If `fn`'s output has more than one element, both sides differentiate the scalar <P, f(x)> for
 *   a fixed random P (the analytic side seeds backward with P): every output element takes part.
 *
 * An element passes if |analytic − numeric| ≤ rtol · max(|numeric|, atol / rtol); the report gives
 * the worst element (its input, index, both values and relative error) and a readable summary.
 *
 * `fn` must be a pure function of its inputs: build everything else inside it on `x.device` (the
 * numeric pass calls it with CPU tensors), draw random numbers from a fixed seed, and keep away
 * from kinks (relu at 0, ties of max) by more than eps.
 */
export async function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): Promise<GradcheckReport> {
  if (inputs.length === 0) throw new SaddleError('gradcheck', 'no inputs given; expected at least one tensor');
  const device = options.device ?? inputs[0]!.device;
  const dtype: DType = options.dtype ?? (device.kind === 'cpu' ? 'f64' : 'f32');
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const wrt = options.wrt ?? inputs.flatMap((x, i) => (isFloat(x.dtype) ? [i] : []));
  for (const i of wrt) {
    const x = inputs[i];
    if (!x || !isFloat(x.dtype))
      throw new SaddleError('gradcheck', `wrt lists input ${i}, which is ${x ? `a ${x.dtype} tensor` : 'missing'}; expected a floating-point input`);
  }

  // The inputs' values, in float64 on the host; rounded to f32 first when the analytic run is in
  // f32, so that both sides differentiate at the very same point.
  const host = await Promise.all(
    inputs.map(async (x) => {
      const v = Float64Array.from(await x.toArray());
      return dtype === 'f32' && isFloat(x.dtype) ? v.map(Math.fround) : v;
    }),
  );

  // f on the CPU in float64 (integer inputs keep their dtype).
  const evaluate = async (values: readonly Float64Array[]): Promise<{ shape: readonly number[]; data: Float64Array }> => {
    const args = values.map((v, i) => fromArray(v, inputs[i]!.shape, { dtype: isFloat(inputs[i]!.dtype) ? 'f64' : inputs[i]!.dtype, device: cpu }));
    const out = noGrad(() => tidy(() => fn(...args)));
    const result = { shape: out.shape, data: Float64Array.from(await out.toArray()) };
    out.dispose();
    for (const a of args) a.dispose();
    return result;
  };
  const base = await evaluate(host);
  const projected = base.data.length !== 1;
  const projection = projected ? randomProjection(base.data.length, options.seed ?? 20140610) : Float64Array.of(1);
  const dot = (y: Float64Array) => y.reduce((s, v, i) => s + v * projection[i]!, 0);

  // Numeric gradients.
  const numeric: Float64Array[] = [];
  for (const i of wrt) {
    const x = host[i]!;
    const g = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const xj = x[j]!;
      x[j] = xj + eps;
      const plus = dot((await evaluate(host)).data);
      x[j] = xj - eps;
      const minus = dot((await evaluate(host)).data);
      x[j] = xj;
      g[j] = (plus - minus) / (2 * eps);
    }
    numeric.push(g);
  }

  // Analytic gradients: one backward on the device.
  const args = inputs.map((x, i) => fromArray(host[i]!, x.shape, { dtype: isFloat(x.dtype) ? dtype : x.dtype, device }));
  const leaves = wrt.map((i) => requiresGrad(args[i]!));
  let analytic: Float64Array[];
  try {
    const grads = tidy(() => {
      const out = fn(...args);
      if (!shapesEqual(out.shape, base.shape)) {
        throw new SaddleError(
          'gradcheck',
          `fn returned ${fmtShape(out.shape)} on ${device.name} but ${fmtShape(base.shape)} on the CPU; expected the same shape`,
        );
      }
      if (!out.requiresGrad) return leaves.map(() => null); // fn does not depend on the inputs: zero gradients
      const seed = projected ? fromArray(projection, out.shape, { dtype: out.dtype, device }) : undefined;
      const map = runBackward(out, seed, false, leaves);
      return leaves.map((l) => map.get(l) ?? null);
    });
    analytic = await Promise.all(grads.map(async (g, n) => (g ? Float64Array.from(await g.toArray()) : new Float64Array(host[wrt[n]!]!.length))));
    for (const g of grads) g?.dispose();
  } finally {
    for (const a of args) a.dispose();
  }

  return finish(
    wrt.map((i, n) => compareInput(i, inputs[i]!.shape, analytic[n]!, numeric[n]!, atol, rtol)),
    { device: device.name, dtype, eps, atol, rtol, projected },
    options.throwOnFailure ?? false,
  );
}

function compareInput(
  input: number,
  shape: readonly number[],
  analytic: Float64Array,
  numeric: Float64Array,
  atol: number,
  rtol: number,
): GradcheckInputReport {
  let worst: GradcheckElement | null = null;
  let failures = 0;
  for (let j = 0; j < numeric.length; j++) {
    const a = analytic[j]!;
    const n = numeric[j]!;
    let rel = Math.abs(a - n) / Math.max(Math.abs(n), atol / rtol);
    if (Number.isNaN(rel)) rel = Infinity; // NaN on either side is a failure, never a pass
    if (rel > rtol) failures++;
    if (!worst || rel > worst.relError) worst = { input, index: unflatten(j, shape), flatIndex: j, analytic: a, numeric: n, relError: rel };
  }
  return { input, shape: [...shape], maxRelError: worst?.relError ?? 0, failures, worst };
}

function finish(
  inputs: GradcheckInputReport[],
  info: { device: string; dtype: DType; eps: number; atol: number; rtol: number; projected: boolean },
  throwOnFailure: boolean,
): GradcheckReport {
  let worst: GradcheckElement | null = null;
  for (const r of inputs) if (r.worst && (!worst || r.worst.relError > worst.relError)) worst = r.worst;
  const maxRelError = worst?.relError ?? 0;
  const ok = maxRelError <= info.rtol;
  const report: GradcheckReport = { ok, maxRelError, worst, inputs, ...info, summary: '' };
  report.summary = summarize(report);
  if (!ok && throwOnFailure) throw new GradcheckError(report);
  return report;
}

const num = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x));
const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

function summarize(r: GradcheckReport): string {
  const where = `on ${r.device} (${r.dtype}; eps ${r.eps}, rtol ${r.rtol}, atol ${r.atol}${r.projected ? '; output projected to a scalar' : ''})`;
  const lines = [
    r.ok
      ? `gradcheck passed ${where}: max relative error ${sci(r.maxRelError)}`
      : `gradcheck FAILED ${where}: max relative error ${sci(r.maxRelError)} > rtol ${r.rtol}`,
  ];
  if (!r.ok && r.worst) {
    const w = r.worst;
    lines.push(
      `  worst: input ${w.input} ${fmtShape(r.inputs.find((i) => i.input === w.input)!.shape)} at ${fmtShape(w.index)} (flat ${w.flatIndex}): ` +
        `analytic ${num(w.analytic)}, numeric ${num(w.numeric)}, relative error ${sci(w.relError)}`,
    );
  }
  for (const i of r.inputs) {
    const at = i.worst ? ` (worst at ${fmtShape(i.worst.index)}: analytic ${num(i.worst.analytic)}, numeric ${num(i.worst.numeric)})` : '';
    const status = i.failures === 0 ? 'ok' : `${i.failures} of ${sizeOf(i.shape)} elements off`;
    lines.push(`  input ${i.input} ${fmtShape(i.shape)}: ${status}, max relative error ${sci(i.maxRelError)}${at}`);
  }
  return lines.join('\n');
}

function unflatten(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return index;
}

/** A fixed pseudo-random vector in [-1, -0.25] ∪ [0.25, 1] (mulberry32): no element is near 0, so every output counts. */
export function randomProjection(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Float64Array.from({ length: n }, () => {
    const u = next();
    return (u < 0.5 ? -1 : 1) * (0.25 + 0.75 * next());
  });
}
