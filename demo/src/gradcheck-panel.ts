/**
 * The gradient-check panel: pick an op and the shapes of its inputs, and `gradcheck` (from
 * @saddle/autograd) compares the backward pass on the page's device with central differences in
 * float64 on the CPU, element by element; the table shows each input's worst element.
 *
 * Central differences cost two forward passes per input element, on the page's main thread: the
 * inputs are bounded (MAX_ELEMENTS in all), and the shapes are checked (one per input of the op)
 * before anything runs, so a bad entry gets a message, never a frozen tab or a TypeError. A failed
 * run clears the previous op's table.
 */
import * as A from '@saddle/autograd';
import { Generator, gradcheck, rand, type Device, type Tensor } from '@saddle/autograd';
import { $, InputError, guarded, options, table } from './dom.js';

interface OpEntry {
  /** Default shapes, one per input, e.g. "3x4, 4x5". */
  shapes: string;
  fn: (...xs: Tensor[]) => Tensor;
  /** Inputs drawn from [lo, hi) (log needs positive values). */
  range?: [number, number];
}

const OPS: Record<string, OpEntry> = {
  matmul: { shapes: '3x4, 4x5', fn: (a, b) => A.matmul(a, b) },
  'matmul (Bᵀ)': { shapes: '3x4, 5x4', fn: (a, b) => A.matmul(a, b, { transB: true }) },
  add: { shapes: '3x4, 4', fn: (a, b) => A.add(a, b) },
  mul: { shapes: '3x4, 3x1', fn: (a, b) => A.mul(a, b) },
  div: { shapes: '3x4, 3x4', fn: (a, b) => A.div(a, b), range: [0.5, 2] },
  sigmoid: { shapes: '4x5', fn: (x) => A.sigmoid(x) },
  tanh: { shapes: '4x5', fn: (x) => A.tanh(x) },
  softplus: { shapes: '4x5', fn: (x) => A.softplus(x) },
  exp: { shapes: '4x5', fn: (x) => A.exp(x) },
  log: { shapes: '4x5', fn: (x) => A.log(x), range: [0.5, 2] },
  sum: { shapes: '3x4x2', fn: (x) => A.sum(x, 1) },
  mean: { shapes: '3x4', fn: (x) => A.mean(x) },
  max: { shapes: '3x6', fn: (x) => A.max(x, 1) },
  maxout: { shapes: '4x6', fn: (x) => A.maxout(x, 3).out },
  'sigmoid cross-entropy': { shapes: '5x1, 5x1', fn: (l, t) => A.sigmoidBce(l, t), range: [0.05, 0.95] },
  transpose: { shapes: '3x4', fn: (x) => A.square(A.transpose(x)) },
};

export interface GradcheckPanelState {
  runs: { op: string; ok: boolean; maxRelError: number }[];
}

/** Input elements a check may take in all: each costs two forward passes (about a second at this bound for matmul). */
export const MAX_ELEMENTS = 1024;

/** The shapes typed for `op` (one per input, comma-separated), or an error saying what is expected. */
export function parseShapes(op: string, text: string): number[][] {
  const entry = OPS[op]!;
  const arity = entry.shapes.split(',').length;
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== arity) {
    throw new InputError(
      `${op} takes ${arity} input${arity > 1 ? 's' : ''}: ${arity} shape${arity > 1 ? 's' : ''} separated by commas, e.g. "${entry.shapes}"; got ${parts.length} ("${text.trim()}")`,
    );
  }
  const shapes = parts.map((part) => {
    const dims = part.split(/\s*x\s*/).map(Number);
    if (part === '' || dims.length > 4 || dims.some((d) => !Number.isInteger(d) || d < 1))
      throw new InputError(`${op}: shape "${part}": expected 1 to 4 sizes (whole numbers ≥ 1) joined by x, e.g. 3x4`);
    return dims;
  });
  const elements = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  if (elements > MAX_ELEMENTS) {
    throw new InputError(
      `${op}: shapes ${shapes.map((s) => s.join('x')).join(', ')} have ${elements} elements; the check takes at most ${MAX_ELEMENTS} (two forward passes per element, on this page's main thread)`,
    );
  }
  return shapes;
}

export function gradcheckPanel(devicePromise: Promise<Device>): GradcheckPanelState {
  const state: GradcheckPanelState = { runs: [] };
  const pick = options($<HTMLSelectElement>('gc-op'), Object.keys(OPS), 'matmul');
  const shapes = $<HTMLInputElement>('gc-shapes');
  const status = $('gc-status');
  const reset = () => (shapes.value = OPS[pick.value]!.shapes);
  pick.onchange = reset;
  reset();
  $('gc-run').onclick = () =>
    void guarded(status, async () => {
      // A failed run must not leave the previous op's table looking like its result.
      $<HTMLTableElement>('gc-table').replaceChildren();
      const op = OPS[pick.value]!;
      const [lo, hi] = op.range ?? [-1, 1];
      const gen = new Generator(7);
      const parsed = parseShapes(pick.value, shapes.value);
      status.textContent = 'checking…';
      status.className = '';
      const device = await devicePromise;
      const inputs = parsed.map((s) => A.add(A.mul(rand(s, { generator: gen, device }), hi - lo), lo));
      try {
        const r = await gradcheck(op.fn, inputs, { device });
        state.runs.push({ op: pick.value, ok: r.ok, maxRelError: r.maxRelError });
        table(
          $<HTMLTableElement>('gc-table'),
          ['input', 'shape', 'max rel. error', 'failures', 'worst element', 'analytic', 'numeric'],
          r.inputs.map((i) => [
            String(i.input),
            i.shape.join('x'),
            [i.maxRelError.toExponential(2), i.failures ? 'bad' : 'ok'],
            String(i.failures),
            i.worst ? `[${i.worst.index.join(', ')}]` : '',
            i.worst ? i.worst.analytic.toPrecision(6) : '',
            i.worst ? i.worst.numeric.toPrecision(6) : '',
          ]),
        );
        status.textContent = `${r.ok ? 'passed' : 'FAILED'} on ${r.device} (${r.dtype}, eps ${r.eps}, rtol ${r.rtol}${r.projected ? ', output projected to a scalar' : ''})`;
        status.className = r.ok ? 'ok' : 'bad';
      } finally {
        for (const t of inputs) t.dispose();
      }
    });
  return state;
}
